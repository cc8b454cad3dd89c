import { useState } from 'react';
import { schedulesApi, triggeredRun } from '../api/endpoints.ts';
import type { Schedule } from '../../sdk/index.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import { href, navigate } from '../hooks/use-route.ts';
import { countOf } from '../lib/format.ts';
import { isPaused } from '../lib/schedule-view.ts';
import { BackfillDialog } from './backfill-dialog.tsx';
import { useCatalog } from './catalog.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { useOpenRun } from './run-drawer.tsx';
import { useSession } from './session.tsx';
import { useToast } from './toasts.tsx';

/**
 * Pause (with a note) / resume, trigger now, edit, duplicate, backfill and delete for one schedule. Each action confirms
 * what it will do when it cannot be undone, reports its result and refreshes every view.
 */
export function ScheduleActions({
  schedule,
  compact,
  onDeleted,
}: {
  schedule: Schedule;
  compact?: boolean;
  onDeleted?: () => void;
}) {
  const { canWrite } = useSession();
  const { assistantName, describe, forgetSchedule } = useCatalog();
  const notify = useToast();
  const openRun = useOpenRun();
  const [busy, setBusy] = useState<string>();
  const [confirm, setConfirm] = useState<'trigger' | 'delete' | 'pause' | 'backfill'>();
  const [note, setNote] = useState('');
  if (!canWrite) return null;
  const paused = isPaused(schedule);
  const target = assistantName(schedule.assistant_id) ?? 'its assistant';

  const act = async (name: string, action: () => Promise<unknown>, success: string, refresh = true) => {
    setBusy(name);
    try {
      const result = await action();
      notify('success', success);
      if (refresh) refreshAll();
      return result;
    } catch (error) {
      notify('error', `${schedule.name}: ${(error as Error).message}`);
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  // In the list (compact) pausing is one click; on the detail page it asks for an optional note.
  const toggle = () => {
    if (paused) return act('resume', () => schedulesApi.resume(schedule.id), `Resumed “${schedule.name}”.`);
    if (!compact) {
      setNote('');
      setConfirm('pause');
      return undefined;
    }
    return act('pause', () => schedulesApi.pause(schedule.id), `Paused “${schedule.name}”.`);
  };

  const pause = async () => {
    await act('pause', () => schedulesApi.pause(schedule.id, note.trim() || undefined), `Paused “${schedule.name}”.`);
    setConfirm(undefined);
  };

  const trigger = async () => {
    const body = await act(
      'trigger',
      () => schedulesApi.trigger(schedule.id),
      `Triggered “${schedule.name}”: a run is queued.`,
    );
    setConfirm(undefined);
    const run = body ? triggeredRun(body as Parameters<typeof triggeredRun>[0]) : undefined;
    if (run?.id) openRun(run.id);
  };

  const remove = async () => {
    const done = await act(
      'delete',
      () => schedulesApi.remove(schedule.id).then(() => true),
      `Deleted “${schedule.name}”.`,
      // With onDeleted the caller leaves the schedule's page, whose polls would otherwise refetch
      // the deleted schedule (404s); the page it opens reads afresh.
      !onDeleted,
    );
    setConfirm(undefined);
    if (done) forgetSchedule(schedule.id);
    if (done) onDeleted?.();
  };

  const size = compact ? 'button small' : 'button';
  return (
    <div className="actions" role="group" aria-label={`Actions for ${schedule.name}`}>
      {schedule.status !== 'completed' && (
        <button
          type="button"
          className={size}
          onClick={toggle}
          disabled={Boolean(busy)}
          aria-label={`${paused ? 'Resume' : 'Pause'} ${schedule.name}`}
        >
          {paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
      )}
      <button
        type="button"
        className={size}
        onClick={() => setConfirm('trigger')}
        disabled={Boolean(busy)}
        aria-label={`Trigger ${schedule.name} now`}
      >
        ⚡ Run now
      </button>
      {!compact && (
        <a className={size} href={href(`/schedules/${schedule.id}/edit`)} aria-label={`Edit ${schedule.name}`}>
          ✎ Edit
        </a>
      )}
      <details className="menu">
        <summary className={`${size} icon-only`} aria-label={`More actions for ${schedule.name}`}>
          ⋯
        </summary>
        <div
          className="menu-items"
          onClick={(event) => event.currentTarget.closest('details')?.removeAttribute('open')}
        >
          {compact && (
            <button type="button" onClick={() => navigate(`/schedules/${schedule.id}/edit`)}>
              Edit
            </button>
          )}
          <button type="button" onClick={() => navigate(`/schedules/${schedule.id}/duplicate`)}>
            Duplicate
          </button>
          <button type="button" onClick={() => setConfirm('backfill')}>
            Backfill…
          </button>
          <button type="button" className="danger-text" onClick={() => setConfirm('delete')}>
            Delete…
          </button>
        </div>
      </details>
      <ConfirmDialog
        open={confirm === 'trigger'}
        title={`Run “${schedule.name}” now?`}
        confirmLabel="Run now"
        busy={busy === 'trigger'}
        onConfirm={trigger}
        onCancel={() => setConfirm(undefined)}
      >
        <p>
          This starts one run of <strong>{target}</strong> right away with the schedule's input, outside its timetable (
          {describe(schedule)}). The next scheduled run is not affected.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'pause'}
        title={`Pause “${schedule.name}”?`}
        confirmLabel="Pause"
        busy={busy === 'pause'}
        onConfirm={pause}
        onCancel={() => setConfirm(undefined)}
      >
        <p>
          Nothing fires until it is resumed. Runs already due still run; runs created ahead of their time are cancelled.
        </p>
        <div className="field">
          <label htmlFor={`pause-note-${schedule.id}`}>Note (optional)</label>
          <textarea
            id={`pause-note-${schedule.id}`}
            rows={2}
            maxLength={1000}
            value={note}
            placeholder="Why: shown on the schedule until it is resumed"
            onChange={(event) => setNote(event.target.value)}
          />
        </div>
      </ConfirmDialog>
      {confirm === 'backfill' && (
        <BackfillDialog
          schedule={schedule}
          open
          onClose={() => setConfirm(undefined)}
          onDone={(result) => {
            setConfirm(undefined);
            notify('success', `Backfilled “${schedule.name}”: ${countOf(result.runs, 'run')} queued.`);
            refreshAll();
          }}
        />
      )}
      <ConfirmDialog
        open={confirm === 'delete'}
        title={`Delete “${schedule.name}”?`}
        confirmLabel={`Delete ${schedule.name}`}
        danger
        busy={busy === 'delete'}
        onConfirm={remove}
        onCancel={() => setConfirm(undefined)}
      >
        <p>
          The schedule <strong>{schedule.name}</strong> stops firing and is removed. Runs already recorded stay in the
          history. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
