import { describe, expect, it } from 'vitest';
import { compileCron, CronError } from '../../src/time/index.ts';
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

const ZONES = [
  'Australia/Lord_Howe', // 30-minute DST
  'America/Santiago', // transitions at midnight
  'Asia/Beirut', // transitions at midnight
  'Pacific/Apia', // skipped 30 December 2011
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -3:30
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'UTC',
];
const CASES_PER_ZONE = 500;
const COUNT = 6;
const SEED = Number(process.env.CRON_SEED ?? 20_261_122);

const START = Date.UTC(2000, 0, 1);
const END = Date.UTC(2040, 11, 31);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function fromPoint(rng: Rng, transitions: readonly number[]): number {
  const jitter = Math.floor(rng() * 60_000);
  if (transitions.length === 0 || rng() < 0.15) return START + Math.floor(rng() * (END - START));
  const at = transitions[Math.floor(rng() * transitions.length)]!;
  const r = rng();
  if (r < 0.35) return at + Math.round((rng() - 0.5) * 6 * 60) * MINUTE + (rng() < 0.5 ? 0 : jitter); // within 3 h
  if (r < 0.5) return at + (rng() < 0.5 ? -1 : 0) * MINUTE + (rng() < 0.5 ? -1 : 0); // on the edge
  return at - Math.round(rng() * 3 * 24) * HOUR - Math.floor(rng() * HOUR); // up to 3 days before
}

describe('next fire against a brute-force reference', () => {
  for (const [zoneIndex, zoneName] of ZONES.entries()) {
    it(`agrees in ${zoneName} (${CASES_PER_ZONE} random expressions, seed ${SEED})`, () => {
      const zone = new ReferenceZone(zoneName, Date.UTC(1998, 0, 1), Date.UTC(2049, 0, 1));
      const transitions = zone.transitions.map((t) => t.at).filter((at) => at >= START && at <= END);
      if (zoneName !== 'UTC' && zoneName !== 'Asia/Kolkata') expect(transitions.length).toBeGreaterThan(20);
      const times = interestingTimes(zone, START, END);
      const rng = seededRng(SEED + zoneIndex * 7919);
      let compared = 0;
      let fires = 0;
      let gapFires = 0;
      let repeatFires = 0;
      while (compared < CASES_PER_ZONE) {
        const expression = randomExpression(rng, times);
        let schedule;
        try {
          schedule = compileCron(expression.text, zoneName, { seconds: expression.seconds });
        } catch (error) {
          // The engine refuses only expressions that can never fire.
          expect(error, expression.text).toBeInstanceOf(CronError);
          expect(canEverFire(expression), `${expression.text} was refused: ${(error as Error).message}`).toBe(false);
          continue;
        }
        const from = fromPoint(rng, transitions);
        const expected = referenceFires(expression, zone, from, COUNT, 2500);
        const actual = schedule
          .next(new Date(from), COUNT)
          .map((date) => date.getTime())
          .filter((at) => at <= expected.coveredUntil);
        const context = `${zoneName} "${expression.text}"${expression.wild ? ' (wild)' : ''} after ${new Date(from).toISOString()} (seed ${SEED})`;
        expect(actual.map((at) => new Date(at).toISOString()), context).toEqual(expected.fires.map((at) => new Date(at).toISOString()));
        // The reference's offsets agree with Intl at every fire.
        for (const fire of expected.fires) expect(zone.intlWall(fire) - fire, context).toBe(zone.offsetAt(fire));
        compared++;
        fires += expected.fires.length;
        gapFires += expected.gapFires;
        repeatFires += expected.repeatFires;
      }
      expect(fires).toBeGreaterThan(CASES_PER_ZONE * 3);
      // The cases do meet the DST rules: fixed jobs in gaps, wild jobs in repeated hours.
      if (transitions.length > 0) {
        expect(gapFires, 'gap fires compared').toBeGreaterThan(4);
        expect(repeatFires, 'repeated fires compared').toBeGreaterThan(4);
      }
    });
  }
});
