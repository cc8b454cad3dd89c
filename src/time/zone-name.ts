import { CronError } from './cron-error.ts';
import { abbreviationProblem } from './zone-abbreviations.ts';
import { nearestZoneName } from './nearest-zone-name.ts';

// ICU (as bundled with Node) reports some zones under their pre-rename IANA names; users and
// PostgreSQL expect the current ones.
const RENAMED: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

const canonicalNames = new Map<string, string | null>();

function resolve(timeZone: string): string | null {
  const cached = canonicalNames.get(timeZone);
  if (cached !== undefined) return cached;
  let canonical: string | null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    canonical = RENAMED[resolved] ?? resolved;
  } catch {
    canonical = null;
  }
  if (canonicalNames.size > 10_000) canonicalNames.clear();
  canonicalNames.set(timeZone, canonical);
  return canonical;
}

/**
 * Checks an IANA time zone name and returns its canonical spelling (`america/new_york` →
 * `America/New_York`, `US/Eastern` → `America/New_York`, `Etc/UTC` → `UTC`, `Asia/Calcutta` →
 * `Asia/Kolkata`). Abbreviations and fixed-offset aliases (`EST`, `PST`, `BST`, …) are refused
 * with the zone they were probably meant as (see ./zone-abbreviations.ts); `Etc/GMT+5` is the way
 * to ask for a fixed offset on purpose. Throws {@link CronError} `invalid_timezone` naming the
 * zone, with the nearest zone name when one is close.
 *
 * @example validateTimeZone('europe/paris') // 'Europe/Paris'
 */
export function validateTimeZone(timeZone: string): string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new CronError('invalid_timezone', 'timezone: empty; use an IANA name such as Europe/Paris or UTC', {
      field: 'timezone',
      value: String(timeZone),
    });
  }
  const refused = abbreviationProblem(timeZone);
  if (refused !== undefined) {
    throw new CronError('invalid_timezone', `timezone: ${refused}`, { field: 'timezone', value: timeZone });
  }
  const canonical = resolve(timeZone);
  if (canonical === null) {
    const nearest = nearestZoneName(timeZone, allZoneNames());
    throw new CronError(
      'invalid_timezone',
      `timezone: "${timeZone}" is not a known IANA time zone; ` +
        (nearest
          ? `did you mean ${nearest}?`
          : 'use a name such as America/New_York, Europe/London or UTC (Area/City)'),
      { field: 'timezone', value: timeZone },
    );
  }
  return canonical;
}

export function isValidTimeZone(timeZone: string): boolean {
  return (
    typeof timeZone === 'string' &&
    timeZone.trim() !== '' &&
    abbreviationProblem(timeZone) === undefined &&
    resolve(timeZone) !== null
  );
}

let zoneNames: readonly string[] | undefined;

/** Every canonical zone name the runtime knows (current IANA spellings), and UTC. */
function allZoneNames(): readonly string[] {
  zoneNames ??= ['UTC', ...Intl.supportedValuesOf('timeZone').map((name) => RENAMED[name] ?? name)];
  return zoneNames;
}
