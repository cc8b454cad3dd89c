import { formatCountdown, formatInstant, viewerZone, zoneAbbreviation } from '../lib/format.ts';

/**
 * A ticking countdown to the next run, with the trigger time in the schedule's zone and, when it
 * differs, in the viewer's.
 */
export function Countdown({ at, zone, now }: { at: string | null | undefined; zone: string; now: number }) {
  if (!at) return <span className="muted">no next run</span>;
  const sameZone = zoneAbbreviation(at, zone) === zoneAbbreviation(at, viewerZone);
  return (
    <span className="countdown">
      <strong className="tabular">{formatCountdown(at, now)}</strong>
      <span className="sub">
        {formatInstant(at, zone)} {zoneAbbreviation(at, zone)}
      </span>
      {!sameZone && (
        <span className="sub">
          {formatInstant(at, viewerZone)} {zoneAbbreviation(at, viewerZone)} (yours)
        </span>
      )}
    </span>
  );
}
