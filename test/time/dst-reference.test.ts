import { describe, expect, it } from 'vitest';
import { compileCron, CronError, type DstPolicy } from '../../src/time/index.ts';
import {
  canEverFire,
  interestingTimes,
  randomExpression,
  ReferenceZone,
  referenceFires,
  seededRng,
  type Rng,
} from './cron-reference.ts';

// The engine against a brute-force reference on random expressions, in zones with every kind of
// DST oddity, from points on and around their transitions between 2000 and 2040.

// [zone, first year, last year]: from points fall in these years, on and around the transitions.
const ZONES: ReadonlyArray<readonly [string, number, number]> = [
  ['Australia/Lord_Howe', 2000, 2040], // 30-minute DST
  ['America/Santiago', 2000, 2040], // transitions at midnight
  ['Asia/Beirut', 2000, 2040], // transitions at midnight
  ['Pacific/Apia', 2000, 2040], // skipped 30 December 2011 (a clock change: 24 hours forward)
  ['Pacific/Kiritimati', 1991, 1998], // skipped 31 December 1994
  ['Pacific/Kwajalein', 1991, 1996], // skipped 21 August 1993
  ['Antarctica/Vostok', 1991, 1997], // 7 hours back, then forward, in 1994
  ['Antarctica/Casey', 2008, 2024], // 3 hours forward and back: the edge of the clock-change rule
  ['Pacific/Chatham', 2000, 2040], // +12:45 / +13:45
  ['America/St_Johns', 2000, 2040], // -3:30
  ['Europe/London', 2000, 2040],
  ['America/New_York', 2000, 2040],
  ['Australia/Sydney', 2000, 2040],
  ['Asia/Kolkata', 2000, 2040],
  ['UTC', 2000, 2040],
];
/** Zones whose only odd transitions are clock changes of 3 hours or more. */
const CLOCK_CHANGE_ZONES = new Set([
  'Pacific/Apia',
  'Pacific/Kiritimati',
  'Pacific/Kwajalein',
  'Antarctica/Vostok',
  'Antarctica/Casey',
]);
const CASES_PER_ZONE = 500;
const COUNT = 6;
const SEED = Number(process.env.CRON_SEED ?? 20_261_122);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Half of the cases run under a random explicit DST policy (one key or both), half under the default. */
function randomPolicy(rng: Rng): DstPolicy | undefined {
  if (rng() < 0.5) return undefined;
  const repeated = (['first', 'last', 'both'] as const)[Math.floor(rng() * 3)]!;
  const skipped = (['shift', 'skip'] as const)[Math.floor(rng() * 2)]!;
  const r = rng();
  return r < 0.25 ? { repeated } : r < 0.5 ? { skipped } : { repeated, skipped };
}

function fromPoint(rng: Rng, transitions: readonly number[], START: number, END: number): number {
  const jitter = Math.floor(rng() * 60_000);
  if (transitions.length === 0 || rng() < 0.15) return START + Math.floor(rng() * (END - START));
  const at = transitions[Math.floor(rng() * transitions.length)]!;
  const r = rng();
  if (r < 0.35) return at + Math.round((rng() - 0.5) * 6 * 60) * MINUTE + (rng() < 0.5 ? 0 : jitter); // within 3 h
  if (r < 0.5) return at + (rng() < 0.5 ? -1 : 0) * MINUTE + (rng() < 0.5 ? -1 : 0); // on the edge
  return at - Math.round(rng() * 3 * 24) * HOUR - Math.floor(rng() * HOUR); // up to 3 days before
}

describe('next fire against a brute-force reference', () => {
  for (const [zoneIndex, [zoneName, firstYear, lastYear]] of ZONES.entries()) {
    it(`agrees in ${zoneName} ${firstYear}-${lastYear} (${CASES_PER_ZONE} random expressions and DST policies, seed ${SEED})`, () => {
      const START = Date.UTC(firstYear, 0, 1);
      const END = Date.UTC(lastYear, 11, 31);
      const zone = new ReferenceZone(zoneName, Date.UTC(firstYear - 2, 0, 1), Date.UTC(lastYear + 9, 0, 1));
      const transitions = zone.transitions.map((t) => t.at).filter((at) => at >= START && at <= END);
      const clockChanges = zone.transitions.filter(
        (t) => t.at >= START && t.at <= END && Math.abs(t.after - t.before) >= 3 * HOUR,
      );
      if (zoneName !== 'UTC' && zoneName !== 'Asia/Kolkata')
        expect(transitions.length).toBeGreaterThan(CLOCK_CHANGE_ZONES.has(zoneName) ? 0 : 20);
      const times = interestingTimes(zone, START, END);
      const rng = seededRng(SEED + zoneIndex * 7919);
      let compared = 0;
      let fires = 0;
      let gapFires = 0;
      let repeatFires = 0;
      let clockChangeLosses = 0;
      const policies = new Set<string>();
      while (compared < CASES_PER_ZONE) {
        const expression = randomExpression(rng, times);
        const dst = randomPolicy(rng);
        let schedule;
        try {
          schedule = compileCron(expression.text, zoneName, { seconds: expression.seconds, dst });
        } catch (error) {
          // The engine refuses only expressions that can never fire.
          expect(error, expression.text).toBeInstanceOf(CronError);
          expect(canEverFire(expression), `${expression.text} was refused: ${(error as Error).message}`).toBe(false);
          continue;
        }
        const from = fromPoint(rng, transitions, START, END);
        const expected = referenceFires(expression, zone, from, COUNT, 2500, dst);
        const actual = schedule
          .next(new Date(from), COUNT)
          .map((date) => date.getTime())
          .filter((at) => at <= expected.coveredUntil);
        const context = `${zoneName} "${expression.text}"${expression.wild ? ' (wild)' : ''} dst ${JSON.stringify(dst ?? 'default')} after ${new Date(from).toISOString()} (seed ${SEED})`;
        expect(
          actual.map((at) => new Date(at).toISOString()),
          context,
        ).toEqual(expected.fires.map((at) => new Date(at).toISOString()));
        // The reference's offsets agree with Intl at every fire.
        for (const fire of expected.fires) expect(zone.intlWall(fire) - fire, context).toBe(zone.offsetAt(fire));
        compared++;
        fires += expected.fires.length;
        gapFires += expected.gapFires;
        repeatFires += expected.repeatFires;
        clockChangeLosses += expected.clockChangeLosses;
        policies.add(JSON.stringify(dst ?? null));
      }
      expect(policies.size, 'policies compared').toBeGreaterThan(8);
      expect(fires).toBeGreaterThan(CASES_PER_ZONE * 3);
      // The cases do meet the DST rules: fixed jobs in gaps, wild jobs in repeated hours.
      // Clock changes of 3 hours or more are met too: their lost wall times are not caught up.
      const hasDst = zone.transitions.some(
        (t) => t.at >= START && t.at <= END && Math.abs(t.after - t.before) < 3 * HOUR,
      );
      if (hasDst) {
        expect(gapFires, 'gap fires compared').toBeGreaterThan(4);
        expect(repeatFires, 'repeated fires compared').toBeGreaterThan(4);
      }
      if (clockChanges.some((t) => t.after > t.before))
        expect(clockChangeLosses, 'wall times lost to a clock change').toBeGreaterThan(4);
      if (clockChanges.some((t) => t.after < t.before))
        expect(repeatFires, 'repeated fires in a clock change').toBeGreaterThan(4);
    });
  }
});
