import type { AddressGuard } from '../agents/address-guard.ts';
import { describeNetworkError, postOutbound } from '../agents/outbound-request.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { toRunResource } from '../runs/run-resource.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import { findRun } from '../store/runs.ts';
import {
  claimWaitingWebhooks,
  markWaitingWebhookDelivered,
  scheduleWaitingWebhookRetry,
  type ClaimedWaitingWebhook,
} from '../store/waiting-webhooks.ts';
import type { ApprovalLinks } from '../waits/approval-links.ts';

export interface WaitingWebhookDeliveryOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  guard: AddressGuard;
  links: ApprovalLinks;
  pollIntervalMs: number;
  /** Defaults: 8 attempts, backoff 1 s doubling up to 10 min, 10 s per POST, waits of the last 24 h. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  maxAgeMs?: number;
}

/**
 * Announces each wait that begins to its run's `on_waiting` URL (the schedule's, else the
 * workflow's): POSTs `{event: "run.waiting", run_id, node, kind, since, until, prompt, event,
 * approval_url, run}`, at least once, retried with backoff like the completion webhook. Any worker
 * replica delivers: waits are claimed with `SKIP LOCKED` and leased while the POST is in flight.
 * Woken when a run parks; polls for retries.
 *
 * @example
 * const delivery = new WaitingWebhookDelivery({ db, clock, logger, guard, links, pollIntervalMs: 1000 });
 * await delivery.start();
 */
export class WaitingWebhookDelivery {
  readonly name = 'waiting-webhooks';
  private readonly abort = new AbortController();
  private unlisten: (() => Promise<void>) | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;

  constructor(private readonly options: WaitingWebhookDeliveryOptions) {}

  async start(): Promise<void> {
    this.unlisten = await this.options.db.listen('waits', () => this.poke());
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.poke();
    await this.unlisten?.();
    await this.loop;
  }

  private poke(): void {
    this.pending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { db, clock, logger, pollIntervalMs } = this.options;
    while (!this.abort.signal.aborted) {
      this.pending = false;
      try {
        const claimed = await claimWaitingWebhooks(db, {
          now: new Date(clock.now()),
          leaseMs: (this.options.requestTimeoutMs ?? 10_000) * 3,
          maxAgeMs: this.options.maxAgeMs ?? 86_400_000,
          maxAttempts: this.options.maxAttempts ?? 8,
          limit: 20,
        });
        await Promise.all(claimed.map((wait) => this.deliver(wait)));
        if (claimed.length > 0) continue;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (isConnectionError(error))
          logger.debug({ err: error }, 'on_waiting delivery pass failed: database unreachable');
        else logger.error({ err: error }, 'on_waiting delivery pass failed');
      }
      if (this.pending || this.abort.signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs);
        this.wake = done;
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.wake = undefined;
    }
  }

  private async body(wait: ClaimedWaitingWebhook): Promise<string> {
    const run = await findRun(this.options.db, wait.run_id);
    return JSON.stringify({
      event: 'run.waiting',
      run_id: wait.run_id,
      node: wait.node_name,
      kind: wait.kind,
      since: wait.since.toISOString(),
      until: wait.until?.toISOString() ?? null,
      prompt: wait.prompt,
      event_name: wait.event_name,
      approval_url: wait.kind === 'approval' ? await this.options.links.urlFor(wait) : null,
      run: run ? toRunResource(run) : null,
    });
  }

  private async deliver(wait: ClaimedWaitingWebhook): Promise<void> {
    const { db, clock, logger, guard } = this.options;
    const key = { runId: wait.run_id, nodeKey: wait.node_key };
    const context = { run_id: wait.run_id, node: wait.node_name, attempt: wait.notify_attempts };
    let failure: string;
    try {
      const target = new URL(wait.url);
      await guard.checkUrl(target);
      const response = await postOutbound({
        url: target,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kairos-webhook',
          'x-kairos-run-id': wait.run_id,
          'x-kairos-event': 'run.waiting',
        },
        body: await this.body(wait),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000)]),
        guard,
        maxResponseBytes: 64 * 1024,
      });
      if (response.status >= 200 && response.status < 300) {
        await markWaitingWebhookDelivered(db, key, new Date(clock.now()));
        return;
      }
      failure = `the on_waiting webhook answered ${response.status}`;
    } catch (error) {
      if (this.abort.signal.aborted) return;
      failure = describeNetworkError(error);
    }
    const backoff = Math.min(
      (this.options.initialBackoffMs ?? 1000) * 2 ** (wait.notify_attempts - 1),
      this.options.maxBackoffMs ?? 600_000,
    );
    await scheduleWaitingWebhookRetry(db, key, new Date(clock.now() + backoff));
    if (wait.notify_attempts >= (this.options.maxAttempts ?? 8))
      logger.warn({ ...context, reason: failure }, 'on_waiting delivery gave up after the last attempt');
    else logger.warn({ ...context, reason: failure, retry_in_ms: backoff }, 'on_waiting delivery failed; will retry');
  }
}
