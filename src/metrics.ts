import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Run statuses as the metrics label them (the run history's terminal and skipped states). */
export type RunStatusLabel = 'success' | 'error' | 'timeout' | 'cancelled' | 'skipped';

/**
 * The Prometheus metrics of one Kairos instance, in a registry of its own (never prom-client's
 * global default), so that several instances in one process (tests) do not collide.
 *
 * The engine records through these handles:
 * @example
 * metrics.fires.inc();                       // one occurrence materialised as a run
 * metrics.fireLag.observe(lagMs);            // run start minus scheduled_for, in ms
 * metrics.runs.inc({ status: 'success' });   // a run reached a final status
 * metrics.busySlots.set(busy);               // worker slots in use on this replica
 * metrics.claimBatchSize.observe(claimed);   // schedules claimed in one transaction
 */
export interface Metrics {
  readonly registry: Registry;
  /** `kairos_fires_total`: occurrences turned into runs by the scheduler. */
  readonly fires: Counter;
  /** `kairos_fire_lag_ms`: how late a run started after its scheduled time, in milliseconds. */
  readonly fireLag: Histogram;
  /** `kairos_runs_total{status}`: runs that reached a final status. */
  readonly runs: Counter<'status'>;
  /** `kairos_worker_slots_busy`: worker slots executing a run on this replica. */
  readonly busySlots: Gauge;
  /** `kairos_runs_backlog`: pending runs that are due (not_before passed) and not started. */
  readonly backlog: Gauge;
  /** `kairos_runs_backlog_oldest_age_ms`: how long the oldest of them has been due (0: none). */
  readonly backlogOldestAgeMs: Gauge;
  /** `kairos_database_reachable`: 1 while the database answers this replica, 0 during an outage. */
  readonly databaseReachable: Gauge;
  /** `kairos_database_outages_total`: outages this replica saw (a restart, a failover, a network cut). */
  readonly databaseOutages: Counter;
  /** `kairos_claim_batch_size`: schedules claimed per scheduler transaction. */
  readonly claimBatchSize: Histogram;
  /** `kairos_http_requests_total{method,route,status}`: API requests answered. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** `kairos_http_request_duration_ms{method,route}`: time to answer an API request. */
  readonly httpDuration: Histogram<'method' | 'route'>;
  /**
   * `kairos_occurrences_total{outcome}`: schedule occurrences by what became of them, `started`
   * (the agent was called) or the reason none was (`precheck`, `overlap`, `missed`, …; docs/gates.md).
   * With `scheduleLabel`, a `schedule` label (the schedule id) too.
   */
  readonly occurrences: { inc(outcome: string, scheduleId: string, count?: number): void };
  /** The exposition text for `/metrics`. */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Also collect Node.js process metrics (CPU, memory, event-loop lag). Off in tests. */
  processMetrics?: boolean;
  /** Constant labels on every series, e.g. `{ replica }`. */
  labels?: Record<string, string>;
  /** KAIROS_METRICS_SCHEDULE_LABEL: `kairos_occurrences_total` gets a `schedule` label (a series per schedule). */
  scheduleLabel?: boolean;
}

/** Creates the metrics of one Kairos instance. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  // The event-loop lag monitor samples every 10 ms by default: ~0.8 % of a core on an idle
  // replica by itself. 100 ms keeps the lag percentiles useful at a tenth of the cost.
  if (options.processMetrics)
    collectDefaultMetrics({ register: registry, prefix: 'kairos_', eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  const occurrences = new Counter({
    name: 'kairos_occurrences_total',
    help: 'Schedule occurrences by outcome: started, or why none started (precheck, overlap, missed, …)',
    labelNames: options.scheduleLabel ? (['outcome', 'schedule'] as const) : (['outcome'] as const),
    registers,
  });
  return {
    registry,
    fires: new Counter({
      name: 'kairos_fires_total',
      help: 'Occurrences turned into runs by the scheduler',
      registers,
    }),
    fireLag: new Histogram({
      name: 'kairos_fire_lag_ms',
      help: 'Milliseconds between a run’s scheduled time and its start',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000],
      registers,
    }),
    runs: new Counter({
      name: 'kairos_runs_total',
      help: 'Runs that reached a final status, by status',
      labelNames: ['status'] as const,
      registers,
    }),
    busySlots: new Gauge({ name: 'kairos_worker_slots_busy', help: 'Worker slots executing a run', registers }),
    backlog: new Gauge({ name: 'kairos_runs_backlog', help: 'Pending runs that are due and not started', registers }),
    backlogOldestAgeMs: new Gauge({
      name: 'kairos_runs_backlog_oldest_age_ms',
      help: 'Milliseconds the oldest due pending run has waited (0: none)',
      registers,
    }),
    databaseReachable: new Gauge({
      name: 'kairos_database_reachable',
      help: '1 while the database answers this replica, 0 during an outage',
      registers,
    }),
    databaseOutages: new Counter({
      name: 'kairos_database_outages_total',
      help: 'Database outages this replica saw (restart, failover, network cut)',
      registers,
    }),
    claimBatchSize: new Histogram({
      name: 'kairos_claim_batch_size',
      help: 'Schedules claimed per scheduler transaction',
      buckets: [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    httpRequests: new Counter({
      name: 'kairos_http_requests_total',
      help: 'API requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'kairos_http_request_duration_ms',
      help: 'Milliseconds to answer an API request',
      labelNames: ['method', 'route'] as const,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
      registers,
    }),
    occurrences: {
      inc: (outcome, scheduleId, count = 1) =>
        occurrences.inc(options.scheduleLabel ? { outcome, schedule: scheduleId } : { outcome }, count),
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
