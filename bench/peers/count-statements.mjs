/**
 * Preloaded (`node --import`) into Kairos replicas by bench:peers: counts every round trip the
 * `pg` driver makes (each `client.query` is one: parse/bind/execute/sync go in one flight), and
 * which statements they were, and writes them to BENCH_PEERS_STATEMENTS when the process exits.
 * Product code is untouched; the benchmark divides the totals by the runs started.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_PEERS_STATEMENTS;
const byText = new Map();
let roundTrips = 0;
let statements = 0;
const control = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, values, callback) {
  const text = typeof config === 'string' ? config : config?.text;
  if (typeof text === 'string') {
    roundTrips++;
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    if (!control.test(key)) statements++;
    byText.set(key, (byText.get(key) ?? 0) + 1);
  }
  return original.call(this, config, values, callback);
};

if (file) {
  process.on('exit', () => {
    const top = [...byText].sort((a, b) => b[1] - a[1]).slice(0, 25);
    writeFileSync(file, JSON.stringify({ round_trips: roundTrips, statements, top }));
  });
}
