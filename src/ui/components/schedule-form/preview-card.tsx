import type { Schedule, ScheduleSpec } from '../../../sdk/index.ts';
import type { PreviewState } from '../../hooks/use-preview.ts';
import { href } from '../../hooks/use-route.ts';
import { formatInstant, viewerZone, zoneAbbreviation } from '../../lib/format.ts';
import type { FormState } from '../../lib/schedule-form-state.ts';

/** The next fire times of the form as it stands, and the save and cancel buttons. */
export function PreviewCard({
  form,
  spec,
  preview,
  scheduleError,
  saving,
  editing,
  original,
}: {
  form: FormState;
  spec?: ScheduleSpec;
  preview: PreviewState;
  scheduleError?: string;
  saving: boolean;
  editing: boolean;
  original?: Schedule;
}) {
  return (
    <section className="card sticky preview-card" aria-live="polite" aria-label="Schedule preview">
      <h2>Preview</h2>
      {scheduleError ? (
        <p className="field-error">{scheduleError}</p>
      ) : (
        <>
          <p className="preview-description" data-testid="preview-description">
            {preview.description ?? (preview.loading ? '…' : '—')}
          </p>
          {spec?.cron && <code className="cron">{spec.cron}</code>}
          <ol className="fire-times" aria-label="Next fire times">
            {preview.times.map((time) => (
              <li key={time}>
                <span className="tabular">{formatInstant(time, form.timezone)}</span>
                <span className="muted small"> {zoneAbbreviation(time, form.timezone)}</span>
                {zoneAbbreviation(time, form.timezone) !== zoneAbbreviation(time, viewerZone) && (
                  <div className="muted small">
                    {formatInstant(time, viewerZone)} {zoneAbbreviation(time, viewerZone)} yours
                  </div>
                )}
              </li>
            ))}
          </ol>
          {!preview.loading && preview.times.length === 0 && !preview.error && (
            <p className="muted small">No upcoming fire time.</p>
          )}
          {preview.excluded.length > 0 && (
            <p className="muted small" data-testid="preview-excluded">
              Excluded: {preview.excluded.map((time) => formatInstant(time, form.timezone)).join(', ')}
            </p>
          )}
          {preview.dst && (
            <p className="small" data-testid="preview-dst">
              <strong>Next clock change:</strong> {preview.dst.effect}.
            </p>
          )}
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Create schedule'}
        </button>
        <a className="button" href={href(original && editing ? `/schedules/${original.id}` : '/schedules')}>
          Cancel
        </a>
      </div>
    </section>
  );
}
