/**
 * Time zone abbreviations and fixed-offset aliases that a runtime accepts as zone names but that
 * mean something else than their users expect: `EST` is tzdata's fixed UTC-5 (ICU stores it as
 * America/Panama, so a US Eastern schedule runs an hour late all summer), and ICU takes the old
 * Java three-letter ids (`PST`, `BST` = Dhaka, `IST` = Kolkata). Each is refused with the zones
 * it was probably meant as. Allowed on purpose: `UTC`/`GMT`, `Etc/GMT+5` (a fixed offset, named as
 * one), and the US rule zones `EST5EDT`, `CST6CDT`, `MST7MDT`, `PST8PDT` (tzdata links to
 * America/New_York, America/Chicago, America/Denver, America/Los_Angeles: daylight saving included).
 */
const FIXED_OFFSETS: Readonly<Record<string, { offset: string; meant: string; fixed: string }>> = {
  EST: { offset: 'UTC-05:00', meant: 'America/New_York', fixed: 'Etc/GMT+5' },
  MST: {
    offset: 'UTC-07:00',
    meant: 'America/Denver (or America/Phoenix, which keeps UTC-7 all year)',
    fixed: 'Etc/GMT+7',
  },
  HST: { offset: 'UTC-10:00', meant: 'Pacific/Honolulu', fixed: 'Etc/GMT+10' },
};

/** Abbreviations (ICU ids or common usage) → the IANA zones they usually stand for. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  EDT: 'America/New_York',
  CST: 'America/Chicago (or Asia/Shanghai for China Standard Time)',
  CDT: 'America/Chicago',
  MDT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  HDT: 'Pacific/Honolulu',
  AST: 'America/Halifax (or America/Puerto_Rico, or Asia/Riyadh)',
  ADT: 'America/Halifax',
  NST: 'America/St_Johns',
  NDT: 'America/St_Johns',
  BST: 'Europe/London',
  IST: 'Asia/Kolkata (or Europe/Dublin, or Asia/Jerusalem)',
  CEST: 'Europe/Paris (or Europe/Berlin)',
  EEST: 'Europe/Athens (or Europe/Helsinki)',
  WEST: 'Europe/Lisbon',
  MSK: 'Europe/Moscow',
  JST: 'Asia/Tokyo',
  KST: 'Asia/Seoul',
  HKT: 'Asia/Hong_Kong',
  SGT: 'Asia/Singapore',
  AEST: 'Australia/Sydney (or Australia/Brisbane, which has no daylight saving)',
  AEDT: 'Australia/Sydney',
  ACST: 'Australia/Adelaide (or Australia/Darwin)',
  ACDT: 'Australia/Adelaide',
  AWST: 'Australia/Perth',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
  BRT: 'America/Sao_Paulo',
  ART: 'America/Argentina/Buenos_Aires',
  // ICU's remaining Java three-letter ids.
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  BET: 'America/Sao_Paulo',
  CAT: 'Africa/Maputo (or Africa/Harare)',
  CNT: 'America/St_Johns',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Nairobi',
  ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis',
  MIT: 'Pacific/Apia',
  NET: 'Asia/Yerevan',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
};

/** Why `name` is refused as a zone (a sentence with the zone to use instead), or undefined. */
export function abbreviationProblem(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  const fixed = FIXED_OFFSETS[upper];
  if (fixed) {
    return (
      `${name} is a fixed offset (${fixed.offset}, no daylight saving); did you mean ${fixed.meant}? ` +
      `For the fixed offset on purpose, use ${fixed.fixed}`
    );
  }
  const meant = ABBREVIATIONS[upper];
  if (meant) return `${name} is an abbreviation, not an IANA time zone; did you mean ${meant}?`;
  return undefined;
}
