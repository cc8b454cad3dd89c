import { resolve } from 'node:path';
import { z } from 'zod';

/** Prices per 1,000 tokens by model name; `"*"` prices models not named. */
export type Pricing = Readonly<Record<string, { input_per_1k: number; output_per_1k: number }>>;

export const pricingSchema = z.record(
  z.string().min(1),
  z.strictObject({ input_per_1k: z.number().nonnegative(), output_per_1k: z.number().nonnegative() }),
);

/** Where traces go: the standard OTLP variables (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` wins). */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL (`…/v1/traces`); tracing is off when absent. */
  tracesUrl: string | undefined;
  serviceName: string;
}

export function tracingConfigFrom(env: Record<string, string | undefined>): TracingConfig {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = traces ? traces : base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
  const disabled = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  return { tracesUrl: disabled ? undefined : tracesUrl, serviceName: env.OTEL_SERVICE_NAME || 'kairos' };
}

/**
 * Kairos configuration, read once from the environment (names in docs/configuration.md),
 * validated, filled with defaults and frozen. Everything downstream receives this object.
 */
export interface Config {
  database: {
    /** `postgres://…` selects the pg driver; undefined selects embedded PGlite in `dataDir`. */
    url: string | undefined;
    /** A direct connection for LISTEN when `url` goes through a transaction-mode pooler. */
    listenUrl: string | undefined;
    dataDir: string;
    schema: string;
    poolSize: number;
  };
  server: {
    host: string;
    port: number;
    maxBodyBytes: number;
    /** The address senders reach this server at (trigger URLs are shown absolute); none: paths only. */
    publicUrl: string | undefined;
    /** Signs one-time approval links (KAIROS_APPROVAL_SECRET); none: one generated once, kept in the database. */
    approvalSecret: string | undefined;
  };
  roles: ReadonlyArray<Role>;
  /**
   * KAIROS_REPLICA_ID: a stable id for this replica (its worker id), held by one live process at a
   * time; a restart with the same id recovers its predecessor's runs at once. Undefined: random per process.
   */
  replicaId: string | undefined;
  logLevel: string;
  /** `pretty` (lines a person reads) or `json`; default: pretty on a terminal, JSON otherwise. */
  logFormat: 'json' | 'pretty';
  scheduler: {
    allowSeconds: boolean;
    maxSchedulesPerUser: number;
    /** Runs are created this far ahead of their time so that workers fire on a precise timer. */
    lookaheadMs: number;
    batchSize: number;
    /** Fallback poll for lost notifications. */
    pollIntervalMs: number;
    /** Hard cap on occurrences one schedule may create in one pass (misfire run_all). */
    maxCatchupPerPass: number;
    requireAdmin: boolean;
    cronRunOnCreate: boolean;
  };
  worker: {
    slots: number;
    leaseMs: number;
    heartbeatMs: number;
    shutdownGraceMs: number;
    /** A run that cannot start within this long (or its schedule's period, if shorter) fails with `capacity`. */
    startDeadlineMs: number;
  };
  runRetentionDays: number;
  alertWebhook: string | undefined;
  http: { allowPrivate: boolean; allowHosts: ReadonlyArray<string> };
  threadMaxMessages: number;
  configFile: string | undefined;
  /** Who owns the config file's declared schedules (a user id or name); undefined: the local admin. */
  configOwner: string | undefined;
  /** Create the demo schedule (the built-in digest, every 15 minutes) on first start. */
  demo: boolean;
  /** Prices per 1,000 tokens by model (KAIROS_PRICING), to show money next to tokens. */
  pricing: Pricing;
  /** OpenTelemetry traces: on when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set. */
  tracing: TracingConfig;
  /** KAIROS_METRICS_SCHEDULE_LABEL: `kairos_occurrences_total` also carries a `schedule` label (one series per schedule). */
  metricsScheduleLabel: boolean;
}

export type Role = 'api' | 'scheduler' | 'worker';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const seconds = z.coerce
  .number()
  .min(0)
  .transform((value) => Math.round(value * 1000));
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  KAIROS_LISTEN_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  KAIROS_DATA_DIR: z.string().min(1).default('.kairos'),
  KAIROS_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,47}$/, 'use lower-case letters, digits and _')
    .default('kairos'),
  KAIROS_DB_POOL_SIZE: int(1, 1000).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(7700),
  KAIROS_MAX_BODY_BYTES: int(1024).default(64 * 1024),
  KAIROS_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://kairos.example.com' })
    .optional(),
  KAIROS_APPROVAL_SECRET: z.string().min(32, 'use at least 32 characters, e.g. `openssl rand -base64 32`').optional(),
  KAIROS_ROLES: list
    .pipe(z.array(z.enum(['api', 'scheduler', 'worker'])).min(1))
    .default(['api', 'scheduler', 'worker']),
  KAIROS_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'use 1 to 40 letters, digits, ".", "_" or "-", e.g. worker-1')
    .optional(),
  KAIROS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAIROS_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  KAIROS_ALLOW_SECONDS_SCHEDULE: bool.optional(),
  CRON_ALLOW_SECONDS_SCHEDULE: bool.optional(),
  KAIROS_MAX_SCHEDULES_PER_USER: int(0).optional(),
  CRON_MAX_PER_USER: int(0).optional(),
  KAIROS_SCHEDULER_LOOKAHEAD_MS: int(0, 60_000).default(1500),
  KAIROS_SCHEDULER_BATCH: int(1, 100_000).default(1000),
  KAIROS_POLL_INTERVAL_MS: int(50, 3_600_000).default(5000),
  KAIROS_MAX_CATCHUP_PER_PASS: int(1, 100_000).default(100),
  KAIROS_SCHEDULES_REQUIRE_ADMIN: bool.default(false),
  KAIROS_CRON_RUN_ON_CREATE: bool.default(true),
  KAIROS_WORKER_SLOTS: int(0, 10_000).default(128),
  KAIROS_LEASE_SECONDS: seconds.prefault(30),
  KAIROS_HEARTBEAT_SECONDS: seconds.prefault(10),
  KAIROS_SHUTDOWN_GRACE: seconds.prefault(30),
  KAIROS_START_DEADLINE_SECONDS: seconds.prefault(3600),
  KAIROS_RUN_RETENTION_DAYS: int(0).default(90),
  KAIROS_ALERT_WEBHOOK: z.url().optional(),
  KAIROS_HTTP_ALLOW_PRIVATE: bool.default(false),
  KAIROS_HTTP_ALLOW_HOSTS: list.default([]),
  KAIROS_THREAD_MAX_MESSAGES: int(1).default(200),
  KAIROS_CONFIG: z.string().min(1).optional(),
  KAIROS_CONFIG_OWNER: z.string().trim().min(1).optional(),
  KAIROS_DEMO: bool.optional(),
  KAIROS_METRICS_SCHEDULE_LABEL: bool.default(false),
  KAIROS_PRICING: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({
          code: 'custom',
          message: 'must be JSON, e.g. {"gpt-4o-mini": {"input_per_1k": 0.00015, "output_per_1k": 0.0006}}',
        });
        return z.NEVER;
      }
    })
    .pipe(pricingSchema)
    .optional(),
});

/** Reads the configuration; a bad value throws a ConfigError naming the variable and the fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const config: Config = {
    database: {
      url: e.DATABASE_URL,
      listenUrl: e.KAIROS_LISTEN_DATABASE_URL,
      dataDir: resolve(e.KAIROS_DATA_DIR),
      schema: e.KAIROS_DB_SCHEMA,
      // Runs hold no connection while they execute (claim and finish are batched statements).
      poolSize: e.KAIROS_DB_POOL_SIZE ?? 10,
    },
    server: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.KAIROS_MAX_BODY_BYTES,
      publicUrl: e.KAIROS_PUBLIC_URL?.replace(/\/+$/, ''),
      approvalSecret: e.KAIROS_APPROVAL_SECRET,
    },
    roles: e.KAIROS_ROLES,
    replicaId: e.KAIROS_REPLICA_ID,
    logLevel: e.KAIROS_LOG_LEVEL,
    logFormat: e.KAIROS_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    scheduler: {
      allowSeconds: e.KAIROS_ALLOW_SECONDS_SCHEDULE ?? e.CRON_ALLOW_SECONDS_SCHEDULE ?? false,
      maxSchedulesPerUser: e.KAIROS_MAX_SCHEDULES_PER_USER ?? e.CRON_MAX_PER_USER ?? 100,
      lookaheadMs: e.KAIROS_SCHEDULER_LOOKAHEAD_MS,
      batchSize: e.KAIROS_SCHEDULER_BATCH,
      pollIntervalMs: e.KAIROS_POLL_INTERVAL_MS,
      maxCatchupPerPass: e.KAIROS_MAX_CATCHUP_PER_PASS,
      requireAdmin: e.KAIROS_SCHEDULES_REQUIRE_ADMIN,
      cronRunOnCreate: e.KAIROS_CRON_RUN_ON_CREATE,
    },
    worker: {
      slots: e.KAIROS_WORKER_SLOTS,
      leaseMs: e.KAIROS_LEASE_SECONDS,
      heartbeatMs: e.KAIROS_HEARTBEAT_SECONDS,
      shutdownGraceMs: e.KAIROS_SHUTDOWN_GRACE,
      startDeadlineMs: e.KAIROS_START_DEADLINE_SECONDS,
    },
    runRetentionDays: e.KAIROS_RUN_RETENTION_DAYS,
    alertWebhook: e.KAIROS_ALERT_WEBHOOK,
    http: { allowPrivate: e.KAIROS_HTTP_ALLOW_PRIVATE, allowHosts: e.KAIROS_HTTP_ALLOW_HOSTS },
    threadMaxMessages: e.KAIROS_THREAD_MAX_MESSAGES,
    configFile: e.KAIROS_CONFIG,
    configOwner: e.KAIROS_CONFIG_OWNER,
    demo: e.KAIROS_DEMO ?? e.DATABASE_URL === undefined,
    pricing: e.KAIROS_PRICING ?? {},
    tracing: tracingConfigFrom(env),
    metricsScheduleLabel: e.KAIROS_METRICS_SCHEDULE_LABEL,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
