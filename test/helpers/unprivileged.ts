// Shared with `npm run chaos` (chaos/unprivileged.ts).
export { handOver, unprivileged } from '../../chaos/unprivileged.ts';
