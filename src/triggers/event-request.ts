import { unstorableValue } from '../store/storable-json.ts';

/**
 * Why a delivery's query string or headers cannot reach a template or the database, or undefined.
 * A NUL character (`?q=%00`) cannot be stored in PostgreSQL text or jsonb, and a lone surrogate is
 * not Unicode: the delivery is refused (400 `invalid_delivery`) rather than stored changed. The
 * reason names the parameter or header with JSON escapes, so that it can itself be stored.
 *
 * @example unstorableRequestReason({}, { q: 'a\u0000' }) // '"query.q": contains a NUL character …'
 */
export function unstorableRequestReason(
  headers: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
): string | undefined {
  const problem = unstorableValue({ query, headers });
  return problem && `${JSON.stringify(problem.field)}: ${problem.problem}`;
}
