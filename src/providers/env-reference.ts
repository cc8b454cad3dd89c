import { z } from 'zod';
import { RunFailure } from '../runs/run-failure.ts';

/**
 * A secret in an assistant's config is never stored: the config names an environment variable
 * of the Kairos process (`{"env": "AGENT_TOKEN"}`) and the value is read at call time.
 */
export interface EnvReference {
  env: string;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Variables that hold Kairos's own secrets: an assistant config may not send them anywhere.
 * (Any other variable of the server's environment can be referenced by any user who may create
 * assistants — keep provider keys in variables meant for that; see docs/assistants.md.)
 */
const reservedNames = [/^DATABASE_URL$/i, /^TEST_DATABASE_URL$/i, /^KAIROS_/i, /^PG[A-Z]*$/i];

export const envReferenceSchema = z.strictObject({
  env: z
    .string()
    .regex(envName, 'must be an environment variable name (letters, digits and _)')
    .refine((name) => !reservedNames.some((pattern) => pattern.test(name)), {
      message: "names a variable that holds Kairos's own configuration; use a variable of its own for this secret",
    }),
});

export function isEnvReference(value: unknown): value is EnvReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { env?: unknown }).env === 'string'
  );
}

/** A config value that is either a plain string or an environment reference. */
export const stringOrEnvSchema = z.union([z.string(), envReferenceSchema]);

/**
 * The value of a plain string or `{"env": NAME}` at call time. A missing variable is a `config`
 * failure naming the field and the variable (never its value).
 */
export function resolveConfigValue(
  value: string | EnvReference,
  field: string,
  env: Record<string, string | undefined>,
): string {
  if (typeof value === 'string') return value;
  const resolved = env[value.env];
  if (resolved === undefined || resolved === '') {
    throw new RunFailure('config', `${field}: environment variable ${value.env} is not set on this Kairos server`, {
      retryable: false,
      details: { field, env: value.env },
    });
  }
  return resolved;
}
