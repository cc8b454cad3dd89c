import type { Schedule } from '../../sdk/index.ts';

/** Marks schedules that code manages: declared in the config file, or upserted by name. */
export function SourceBadge({ schedule }: { schedule: Pick<Schedule, 'source'> }) {
  if (schedule.source === 'config') {
    return (
      <span
        className="badge neutral"
        data-source="config"
        title="Declared in the config file (kairos.config.*): registered at every start"
      >
        Managed in code
      </span>
    );
  }
  if (schedule.source === 'apply') {
    return (
      <span
        className="badge neutral"
        data-source="apply"
        title="Created by an upsert by name (PUT /schedules/by-name, SDK ensure, kairos schedules apply)"
      >
        Applied by name
      </span>
    );
  }
  return null;
}

/**
 * What a person editing a managed schedule should know: the next start (config) or the next
 * apply may put the declaration back over their change. Also shows why a managed schedule was
 * paused (its declaration was removed).
 */
export function ManagedNotice({
  schedule,
  editing = false,
}: {
  schedule: Pick<Schedule, 'source' | 'source_note'>;
  editing?: boolean;
}) {
  if (schedule.source !== 'config' && schedule.source !== 'apply') return null;
  const where =
    schedule.source === 'config' ? 'the config file (kairos.config.*)' : 'a program that applies it by name';
  const when = schedule.source === 'config' ? 'the next start of Kairos' : 'the next apply';
  return (
    <div className="banner warn" role="note" data-managed={schedule.source}>
      <strong>Managed in code</strong>
      <span>
        This schedule is declared in {where}.{' '}
        {editing
          ? `Changes saved here may be overwritten at ${when}; change the declaration instead.`
          : `Edits made here may be overwritten at ${when}.`}
      </span>
      {schedule.source_note && <span>{schedule.source_note}</span>}
    </div>
  );
}
