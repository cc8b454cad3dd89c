import { isConnectionError } from '../store/connection-error.ts';
import type { AddressGuard } from '../agents/address-guard.ts';
import { describeNetworkError, postOutbound } from '../agents/outbound-request.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import {
  claimWebhookDeliveries,
  markWebhookDelivered,
  scheduleWebhookRetry,
  type ClaimedWebhook,
} from '../store/run-webhooks.ts';
import { webhookBody } from './webhook-body.ts';

export interface WebhookDeliveryOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** The private-address guard of http assistants (KAIROS_HTTP_ALLOW_PRIVATE, KAIROS_HTTP_ALLOW_HOSTS). */
  guard: AddressGuard;
  /** The fallback poll, for retries that come due and lost notifications. */
  pollIntervalMs: number;
  /** Defaults: 8 attempts, backoff 1 s doubling up to 10 min, 10 s per POST, runs of the last 24 h. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  maxAgeMs?: number;
}

/**
 * Delivers finished runs to their schedule's `webhook`: POSTs the run's JSON resource, at least
 * once, retried with exponential backoff. Any replica with the worker role may deliver: runs are
 * claimed with `SKIP LOCKED` and leased while the POST is in flight, so a replica that dies
 * mid-delivery leaves the run to be retried, never lost. Woken by `run_finished`; polls for retries.
 *
 * @example
 * const delivery = new WebhookDelivery({ db, clock, logger, guard, pollIntervalMs: 1000 });
 * await delivery.start();
 */
export class WebhookDelivery {
  readonly name = 'webhooks';
  private readonly abort = new AbortController();
  private unlisten: (() => Promise<void>) | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;

  constructor(private readonly options: WebhookDeliveryOptions) {}

  async start(): Promise<void> {
    this.unlisten = await this.options.db.listen('run_finished', () => this.poke());
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
    const { logger, pollIntervalMs } = this.options;
    while (!this.abort.signal.aborted) {
      this.pending = false;
      try {
        const claimed = await this.claim();
        await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
        if (claimed.length > 0) continue; // there may be more
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (isConnectionError(error))
          logger.debug({ err: error }, 'webhook delivery pass failed: database unreachable');
        else logger.error({ err: error }, 'webhook delivery pass failed');
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

  private claim(): Promise<ClaimedWebhook[]> {
    const { db, clock } = this.options;
    return claimWebhookDeliveries(db, {
      now: new Date(clock.now()),
      leaseMs: (this.options.requestTimeoutMs ?? 10_000) * 3,
      maxAgeMs: this.options.maxAgeMs ?? 86_400_000,
      maxAttempts: this.options.maxAttempts ?? 8,
      limit: 20,
    });
  }

  private async deliver(delivery: ClaimedWebhook): Promise<void> {
    const { db, clock, logger, guard } = this.options;
    const { webhook_url: url, webhook_attempts: attempts, ...row } = delivery;
    const body = JSON.stringify(webhookBody(delivery, new Date(clock.now())));
    const context = { run_id: row.id, schedule_id: row.schedule_id, attempt: attempts };
    let failure: string;
    try {
      const target = new URL(url);
      await guard.checkUrl(target); // IP literals too; names are checked again at connect time
      const response = await postOutbound({
        url: target,
        headers: { 'content-type': 'application/json', 'user-agent': 'kairos-webhook', 'x-kairos-run-id': row.id },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000)]),
        guard,
        maxResponseBytes: 64 * 1024,
      });
      if (response.status >= 200 && response.status < 300) {
        await markWebhookDelivered(db, row.id, new Date(clock.now()));
        return;
      }
      failure = `the webhook answered ${response.status}`;
    } catch (error) {
      if (this.abort.signal.aborted) return; // shutting down: the lease expires and another replica retries
      failure = describeNetworkError(error);
    }
    const maxAttempts = this.options.maxAttempts ?? 8;
    const backoff = Math.min(
      (this.options.initialBackoffMs ?? 1000) * 2 ** (attempts - 1),
      this.options.maxBackoffMs ?? 600_000,
    );
    await scheduleWebhookRetry(db, row.id, new Date(clock.now() + backoff));
    if (attempts >= maxAttempts)
      logger.warn({ ...context, reason: failure }, 'webhook delivery gave up after the last attempt');
    else logger.warn({ ...context, reason: failure, retry_in_ms: backoff }, 'webhook delivery failed; will retry');
  }
}
