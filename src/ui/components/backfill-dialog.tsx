import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { schedulesApi } from '../api/endpoints.ts';
import type { Schedule, ScheduleBackfillResult } from '../../sdk/index.ts';
import { countOf, formatInstant, viewerZone } from '../lib/format.ts';
import { Dialog } from './dialog.tsx';

/** A `datetime-local` value (the viewer's wall time, to the minute) for an instant. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant a `datetime-local` value names in the viewer's zone, or undefined while incomplete. */
function instantOf(value: string): string | undefined {
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Backfill: choose a window, see how many runs it will create (a dry run, asked again as the
 * window changes), then confirm. Nothing is created before the confirm button.
 */
export function BackfillDialog({
  schedule,
  open,
  onClose,
  onDone,
}: {
  schedule: Schedule;
  open: boolean;
  onClose: () => void;
  onDone: (result: ScheduleBackfillResult) => void;
}) {
  const [to, setTo] = useState(() => localInput(Math.floor(Date.now() / 60_000) * 60_000));
  const [from, setFrom] = useState(() => localInput(Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000));
  const [preview, setPreview] = useState<ScheduleBackfillResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const window = { from: instantOf(from), to: instantOf(to) };
  const key = `${window.from}|${window.to}`;
  useEffect(() => {
    if (!open) return;
    setPreview(undefined);
    setError(undefined);
    if (!window.from || !window.to) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      schedulesApi.backfill(schedule.id, { from: window.from!, to: window.to!, dry_run: true }).then(
        (result) => !cancelled && setPreview(result),
        (caught: unknown) =>
          !cancelled && setError(caught instanceof ApiError ? caught.message : (caught as Error).message),
      );
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [open, key, schedule.id]);

  const confirm = async () => {
    if (!window.from || !window.to) return;
    setBusy(true);
    try {
      onDone(await schedulesApi.backfill(schedule.id, { from: window.from, to: window.to }));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : (caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const zone = schedule.schedule.timezone ?? 'UTC';
  return (
    <Dialog open={open} title={`Backfill “${schedule.name}”`} onClose={onClose}>
      <p className="muted small">
        Creates one run for each occurrence after <em>From</em> and up to <em>To</em> that has no run yet, oldest first,
        each waiting for a free slot (max concurrent {schedule.max_concurrent ?? 1}). At most 1,000 per backfill. Times
        are yours ({viewerZone}).
      </p>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="backfill-from">From (excluded)</label>
          <input
            id="backfill-from"
            type="datetime-local"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="backfill-to">To (included)</label>
          <input id="backfill-to" type="datetime-local" value={to} onChange={(event) => setTo(event.target.value)} />
        </div>
      </div>
      <div role="status" aria-live="polite" aria-label="Backfill preview">
        {error && <p className="field-error">{error}</p>}
        {!error && !preview && <p className="muted small">Counting…</p>}
        {!error && preview && (
          <>
            <p>
              This creates <strong data-testid="backfill-count">{countOf(preview.runs, 'run')}</strong> for{' '}
              {countOf(preview.occurrences, 'occurrence')} in this window
              {preview.existing > 0 && <> ({preview.existing} already had a run and stay as they are)</>}.
            </p>
            {preview.runs > 0 && (
              <p className="muted small">
                First {formatInstant(preview.scheduled_for[0], zone)}, last{' '}
                {formatInstant(preview.scheduled_for.at(-1), zone)} ({zone}).
              </p>
            )}
          </>
        )}
      </div>
      <footer className="modal-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button primary"
          disabled={busy || !preview || preview.runs === 0 || Boolean(error)}
          onClick={confirm}
        >
          {busy
            ? 'Working…'
            : preview && preview.runs > 0
              ? `Create ${countOf(preview.runs, 'run')}`
              : 'Nothing to create'}
        </button>
      </footer>
    </Dialog>
  );
}
