import { formatCountdown, formatInstant, zoneAbbreviation } from '../lib/format.ts';

/**
 * A ticking countdown to the next run and its trigger time in `zone`, named. One zone per view:
 * a list passes the viewer's zone for every row, a schedule's own page passes the schedule's.
 */
export function Countdown({ at, zone, now }: { at: string | null | undefined; zone: string; now: number }) {
  if (!at) return <span className="muted">no next run</span>;
  return (
    <span className="countdown">
      <strong className="tabular">{formatCountdown(at, now)}</strong>
      <span className="sub">
        {formatInstant(at, zone)} {zoneAbbreviation(at, zone)}
      </span>
    </span>
  );
}
