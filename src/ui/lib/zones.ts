import { viewerZone } from './format.ts';

/** Every IANA zone the browser knows, the viewer's and UTC first. */
export function timeZones(): string[] {
  let all: string[] = [];
  try {
    all = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    all = [];
  }
  if (all.length === 0)
    all = [
      'America/New_York',
      'America/Los_Angeles',
      'Europe/London',
      'Europe/Berlin',
      'Asia/Tokyo',
      'Australia/Sydney',
    ];
  return [...new Set(['UTC', viewerZone, ...all])];
}

/** The offset of `zone` from UTC at `ms`, in minutes. */
function offsetMinutes(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant of a wall-clock time (`2026-03-01T09:30`) in `zone`, as ISO. Two passes settle
 * the offset across DST changes; a skipped wall time lands just after the gap.
 */
export function wallTimeToIso(wall: string, zone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  let guess = naive - offsetMinutes(naive, zone) * 60_000;
  guess = naive - offsetMinutes(guess, zone) * 60_000;
  return new Date(guess).toISOString();
}

/** The wall-clock time of an instant in `zone`, as `YYYY-MM-DDTHH:MM` for a datetime-local input. */
export function isoToWallTime(iso: string, zone: string): string {
  const ms = new Date(iso).getTime();
  const shifted = new Date(ms + offsetMinutes(ms, zone) * 60_000);
  return shifted.toISOString().slice(0, 16);
}
