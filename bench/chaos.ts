// Fault injection: `npm run chaos -- --replicas 3 --schedules 1000 --minutes 10 [--faults kill,stop,pg-restart,pg-drop,skew]`.
// Prints the fault schedule and progress on stderr, the report as JSON on stdout; exits 1 when an
// invariant broke (missing, duplicated, stuck, a late write landed). See docs/reliability.md.
import { parseArgs } from 'node:util';
import { faultKinds, parseFaultKinds } from '../chaos/fault-plan.ts';
import { runChaos } from '../chaos/run-chaos.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    schedules: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10' },
    faults: { type: 'string', default: faultKinds.join(',') },
    rounds: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'lease-seconds': { type: 'string', default: '5' },
  },
});

function positive(name: string, text: string | undefined, integer = true): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    console.error(`--${name}: "${text}" is not a positive ${integer ? 'whole ' : ''}number`);
    process.exit(2);
  }
  return value;
}

let faults;
try {
  faults = parseFaultKinds(values.faults);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const report = await runChaos({
  replicas: positive('replicas', values.replicas),
  schedules: positive('schedules', values.schedules),
  durationMs: positive('minutes', values.minutes, false) * 60_000,
  faults,
  ...(values.rounds !== undefined && { rounds: positive('rounds', values.rounds) }),
  seed: positive('seed', values.seed),
  leaseMs: positive('lease-seconds', values['lease-seconds'], false) * 1000,
});
console.log(JSON.stringify(report, null, 2));
if (report.broken.length > 0) {
  console.error(`chaos: invariants broken: ${report.broken.join('; ')}`);
  process.exit(1);
}
