import { Environment } from '@marcbachmann/cel-js';
import type { EventRow } from '../store/events.ts';

/** What an event node receives. */
export interface ReceivedEvent {
  name: string;
  key: string | null;
  payload: unknown;
  received_at: string | null;
  timed_out?: boolean;
}

export function eventResult(event: EventRow): ReceivedEvent {
  return { name: event.name, key: event.key, payload: event.payload, received_at: event.received_at.toISOString() };
}

/** A timed-out event wait with `on_timeout: "continue"`: no event, said so. */
export function eventTimeoutResult(name: string): ReceivedEvent {
  return { name, key: null, payload: null, received_at: null, timed_out: true };
}

/** The longest lookback (events are kept this long). */
export const maxLookbackMs = 7 * 86_400_000;

let environment: Environment | undefined;

function env(): Environment {
  if (!environment) {
    environment = new Environment({ homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000, maxDepth: 64 } });
    environment.registerVariable('event', 'map');
    environment.registerVariable('input', 'dyn');
  }
  return environment;
}

/** A `match` that does not compile, names an unknown variable or does not return a bool. */
export class EventMatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventMatchError';
  }
}

const programs = new Map<string, (context: Record<string, unknown>) => unknown>();

/** Compiles a `match` expression (CEL over `event` and `input`); throws EventMatchError. */
export function compileEventMatch(expression: string): (context: Record<string, unknown>) => unknown {
  const cached = programs.get(expression);
  if (cached) return cached;
  let checked: ReturnType<Environment['check']>;
  try {
    checked = env().check(expression);
  } catch (error) {
    throw new EventMatchError((error as Error).message.split('\n')[0]!.trim());
  }
  if (!checked.valid) throw new EventMatchError((checked.error?.message ?? 'invalid expression').split('\n')[0]!);
  if (!['bool', 'dyn'].includes(String(checked.type)))
    throw new EventMatchError(`must return bool, but returns ${String(checked.type)}`);
  const program = env().parse(expression) as unknown as (context: Record<string, unknown>) => unknown;
  if (programs.size > 1000) programs.clear();
  programs.set(expression, program);
  return program;
}

/** JSON as CEL sees it (numbers are doubles, undefined is null). */
function celJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(celJson);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celJson(v)]));
  return value;
}

/**
 * Whether an event matches a wait's `match` (none: every event of the name). Fails closed: an
 * expression that errors or does not give `true` is no match.
 */
export function eventMatches(match: string | null, event: EventRow, input: unknown): boolean {
  if (match === null) return true;
  try {
    const result = compileEventMatch(match)({
      event: celJson({ name: event.name, key: event.key, payload: event.payload }),
      input: celJson(input),
    });
    return result === true;
  } catch {
    return false;
  }
}
