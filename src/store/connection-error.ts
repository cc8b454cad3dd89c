/**
 * Whether an error means "the database cannot be reached right now" (server down, restarting,
 * connection cut or refused) rather than "this statement is wrong". Such errors are an outage:
 * the API answers 503, loops retry quietly, and runs are not failed because of them.
 */
export function isConnectionError(error: unknown): boolean {
  for (
    let e: unknown = error, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (connectionCodes.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && connectionMessages.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

// Socket errors, and PostgreSQL's admin_shutdown / crash_shutdown / cannot_connect_now (57P0x);
// class 08 is "connection exception".
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
]);

// node-postgres reports a lost or timed-out connection with these messages and no code.
const connectionMessages = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /timeout exceeded when trying to connect/,
  /^Connection closed/,
  /server closed the connection unexpectedly/,
  /^the database is unreachable/,
];
