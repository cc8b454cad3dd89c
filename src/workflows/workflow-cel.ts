import { Environment, type ASTNode } from '@marcbachmann/cel-js';

/** Where an expression appears: decides the variables it may name and the type it must return. */
export type CelSite = 'loop' | 'router' | 'condition';

/** Loop end conditions see the iteration; router selectors and condition evaluators the data flow. */
const variables: Record<CelSite, Record<string, string>> = {
  loop: {
    current_iteration: 'int',
    max_iterations: 'int',
    all_success: 'bool',
    last_step_content: 'string',
    step_outputs: 'map',
  },
  router: { input: 'dyn', previous_step_content: 'string', previous_step_outputs: 'map', run: 'map' },
  condition: { input: 'dyn', previous_step_content: 'string', previous_step_outputs: 'map', run: 'map' },
};

const returns: Record<CelSite, ReadonlySet<string>> = {
  loop: new Set(['bool', 'dyn']),
  router: new Set(['string', 'dyn']),
  condition: new Set(['bool', 'dyn']),
};

const environments = new Map<CelSite, Environment>();

function environmentOf(site: CelSite): Environment {
  let env = environments.get(site);
  if (!env) {
    env = new Environment({ homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000, maxDepth: 64 } });
    for (const [name, type] of Object.entries(variables[site])) env.registerVariable(name, type);
    environments.set(site, env);
  }
  return env;
}

/** The variables an expression at `site` may name (for messages and docs). */
export function celVariables(site: CelSite): string[] {
  return Object.keys(variables[site]);
}

/** A compiled expression: evaluate it many times. */
export interface CompiledCel {
  readonly expression: string;
  readonly site: CelSite;
  /** Throws CelRuntimeError when evaluation fails (a missing key, a wrong type). */
  evaluate(context: Record<string, unknown>): unknown;
  /** The string results the expression can give when all of them are literals; undefined otherwise. */
  readonly literalResults: string[] | undefined;
}

/** An expression that does not compile, names an unknown variable or returns the wrong type. */
export class CelCompileError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
    this.name = 'CelCompileError';
  }
}

/** An expression that failed while it was evaluated: the node fails with `workflow_error`. */
export class CelRuntimeError extends Error {
  constructor(
    readonly expression: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CelRuntimeError';
  }
}

/** The first line of a cel-js message (the rest is a source excerpt with a caret). */
function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** String literals in result position (through `?:`); undefined as soon as one result is computed. */
function literalResults(ast: ASTNode): string[] | undefined {
  const node = ast as unknown as { op: string; args: unknown };
  if (node.op === 'value') return typeof node.args === 'string' ? [node.args] : undefined;
  if (node.op === '?:') {
    const [, yes, no] = node.args as ASTNode[];
    const a = literalResults(yes!);
    const b = literalResults(no!);
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

/** Plain JSON-like values back from CEL (ints arrive as bigint). */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
  }
  return value;
}

/**
 * Compiles (parses and type-checks) an expression for a site, once: unknown variables, syntax
 * errors and a result of the wrong type are CelCompileErrors.
 */
export function compileCel(expression: string, site: CelSite): CompiledCel {
  const env = environmentOf(site);
  let checked: ReturnType<Environment['check']>;
  try {
    checked = env.check(expression);
  } catch (error) {
    throw new CelCompileError(expression, firstLine((error as Error).message));
  }
  if (!checked.valid) throw new CelCompileError(expression, firstLine(checked.error?.message ?? 'invalid expression'));
  if (!returns[site].has(String(checked.type))) {
    const wanted = site === 'router' ? 'string (a choice name)' : 'bool';
    throw new CelCompileError(expression, `must return ${wanted}, but returns ${String(checked.type)}`);
  }
  const program = env.parse(expression);
  return {
    expression,
    site,
    literalResults: literalResults(program.ast),
    evaluate(context) {
      try {
        return program(context) as unknown;
      } catch (error) {
        throw new CelRuntimeError(expression, firstLine((error as Error).message), { cause: error });
      }
    },
  };
}
