/**
 * The lab's delivery agent: takes what authenticated users sent to other
 * domains out of the outbound queue and delivers it directly (MX look-up, as
 * `maillab send --direct` does). Delivered recipients leave the entry; a
 * temporary failure (4xx, no connection, DNS trouble) is retried on a backoff
 * schedule (RFC 5321 §4.5.4.1), persisted in the entry's JSON; a permanent
 * failure, or the last retry failing, returns a bounce (RFC 3464) to the
 * sender — into their Maildir when they are a local user, else queued itself.
 *
 * The clock and the timers are injected, so tests (and lessons) control time.
 */
import type { MailStore } from '../store/mail-store.js';
import type { OutboundQueue, QueuedEnvelope, QueuedFailure } from '../store/outbound-queue.js';
import type { UserDirectory } from '../store/user-directory.js';
import { buildBounce } from './bounce.js';
import { attemptReports } from './queue-reports.js';
import { domainOf } from './direct-delivery.js';
import type { RecipientResult } from './smtp-dialogue.js';

export interface QueueClock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Real time; timers are unref'd so the runner alone never keeps a process alive. */
export const SYSTEM_CLOCK: QueueClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The lab's default schedule: retry after 1 min, 5 min, 30 min, 2 h, then give up. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000];

/** Longest sleep between runs, so entries put in the folder by other means are seen too. */
const MAX_SLEEP_MS = 10 * 60_000;

export interface QueueRunnerOptions {
  queue: OutboundQueue;
  store: MailStore;
  users: UserDirectory;
  /** Domains whose users get bounces in their Maildir. */
  localDomains: readonly string[];
  /** Our name: MAILER-DAEMON@hostname, Reporting-MTA. */
  hostname: string;
  /** Delay before retry N+1 after attempt N failed; after the last, the entry bounces. */
  retryDelaysMs: readonly number[];
  /** Delivers one message to its recipients (direct delivery in the lab); `signal` aborts when the runner stops. */
  deliver: (from: string, recipients: readonly string[], message: Buffer, signal: AbortSignal) => Promise<RecipientResult[]>;
  clock?: QueueClock;
  /** One line per thing that happened, for `serve --verbose` and tests. */
  onLog?: (text: string) => void;
}

export class QueueRunner {
  private readonly clock: QueueClock;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private abort = new AbortController();

  constructor(private readonly options: QueueRunnerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Starts: a run now, then whenever an entry is due or one is enqueued. Resolves when the first run is done. */
  start(): Promise<void> {
    if (!this.stopped) return this.running ?? Promise.resolve();
    this.stopped = false;
    this.abort = new AbortController();
    this.unsubscribe = this.options.queue.onEnqueue(() => void this.wake());
    return this.wake();
  }

  /** Stops scheduling, cuts open deliveries short (they count as temporary failures) and waits for the run to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.unsubscribe?.();
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs now (or right after the run in progress). Resolves when the queue is idle again. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runDue();
      } catch (error) {
        this.log(`queue run failed: ${(error as Error).message}`);
      }
      // An enqueue during the run sets `again`; otherwise sleep until the next entry is due.
      if (!this.again) await this.scheduleNext().catch((error: Error) => this.log(`queue scheduling failed: ${error.message}`));
    } while (this.again && !this.stopped);
  }

  /** Tries every entry that is due now, one at a time. */
  async runDue(): Promise<void> {
    for (const entry of await this.options.queue.list()) {
      if (this.stopped) return;
      if (entry.nextAttemptAt !== undefined && Date.parse(entry.nextAttemptAt) > this.clock.now()) continue;
      try {
        await this.attempt(entry);
      } catch (error) {
        // Our own failure (a full disk, say): try this entry again later rather than in a tight loop.
        this.log(`queue ${entry.id}: ${(error as Error).message}; will try again later`);
        const delay = this.options.retryDelaysMs[0] ?? 60_000;
        await this.options.queue.update({ ...entry, nextAttemptAt: new Date(this.clock.now() + delay).toISOString() }).catch(() => undefined);
      }
    }
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const now = this.clock.now();
    const due = (await this.options.queue.list()).map((entry) => (entry.nextAttemptAt === undefined ? now : Date.parse(entry.nextAttemptAt)));
    const wait = due.length === 0 ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, Math.min(...due) - now));
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      void this.wake();
    }, wait);
  }

  private async attempt(entry: QueuedEnvelope): Promise<void> {
    let message: Buffer;
    try {
      message = await this.options.queue.message(entry.id);
    } catch {
      this.log(`queue ${entry.id}: message file missing; entry removed`);
      await this.options.queue.remove(entry.id);
      return;
    }
    const attempts = entry.attempts + 1;
    const results = await this.options.deliver(entry.from, entry.recipients, message, this.abort.signal);
    const failures = (wanted: (result: RecipientResult) => boolean) => results.filter(wanted).map((result) => ({ recipient: result.address, failure: failureOf(result) }));
    for (const result of results) {
      this.log(`queue ${entry.id}: <${result.address}> ${result.ok ? 'delivered' : result.temporary ? 'deferred' : 'failed'} via ${result.host}: ${result.code || ''} ${result.enhanced ?? ''} ${result.text}`.replace(/ +/g, ' '));
    }
    const permanent = failures((result) => !result.ok && !result.temporary);
    const temporary = failures((result) => !result.ok && result.temporary);
    const exhausted = attempts > this.options.retryDelaysMs.length;
    // Report first, then rewrite the entry: a crash in between may report twice, but never loses a report.
    // Delivery status notifications as the recipients' NOTIFY asks (RFC 3461; core/send/queue-reports.ts).
    const retryUntil = new Date(Date.parse(entry.queuedAt) + this.options.retryDelaysMs.reduce((sum, delay) => sum + delay, 0));
    const reports = await attemptReports({ entry, original: message, results, exhausted, hostname: this.options.hostname, now: new Date(this.clock.now()), retryUntil });
    for (const [index, report] of reports.messages.entries()) await this.returnToSender(entry, report, `dsn${attempts}-${index}`);
    if (!reports.failuresReported && permanent.length > 0) await this.bounce(entry, message, permanent, false, attempts);
    if (!reports.failuresReported && temporary.length > 0 && exhausted) await this.bounce(entry, message, temporary, true, attempts);
    if (temporary.length === 0 || exhausted) {
      await this.options.queue.remove(entry.id);
      return;
    }
    const delay = this.options.retryDelaysMs[attempts - 1]!;
    await this.options.queue.update({
      ...entry,
      recipients: temporary.map(({ recipient }) => recipient),
      attempts,
      nextAttemptAt: new Date(this.clock.now() + delay).toISOString(),
      lastErrors: Object.fromEntries(temporary.map(({ recipient, failure }) => [recipient, failure])),
      ...(entry.delayReported || reports.delayReported ? { delayReported: true } : {}),
    });
    this.log(`queue ${entry.id}: attempt ${attempts} deferred ${temporary.length} recipient(s); next try in ${Math.round(delay / 1000)} s`);
  }

  private async bounce(entry: QueuedEnvelope, original: Buffer, failures: { recipient: string; failure: QueuedFailure }[], expired: boolean, attempts: number): Promise<void> {
    // RFC 5321 §4.5.5 / RFC 3464 §1: never bounce a bounce (null reverse-path).
    if (entry.from === '') {
      this.log(`queue ${entry.id}: undeliverable bounce dropped (it had the null sender)`);
      return;
    }
    const bounce = await buildBounce({
      hostname: this.options.hostname,
      sender: entry.from,
      arrivalDate: new Date(entry.queuedAt),
      date: new Date(this.clock.now()),
      failures,
      expired,
      attempts,
      original,
    });
    const localUser = await this.localUser(entry.from);
    if (localUser) {
      await this.options.store.deliver(localUser, Buffer.concat([Buffer.from('Return-Path: <>\r\n'), bounce]));
      this.log(`queue ${entry.id}: bounce delivered to ${localUser}'s Maildir`);
      return;
    }
    const id = `${entry.id}-bounce${attempts}`;
    await this.options.queue.enqueue({ id, from: '', recipients: [entry.from], queuedAt: new Date(this.clock.now()).toISOString(), attempts: 0 }, bounce);
    this.log(`queue ${entry.id}: bounce to <${entry.from}> queued as ${id}`);
  }

  /** A delivery status notification to the sender: into their Maildir when they are a local user, else queued with the null sender. */
  private async returnToSender(entry: QueuedEnvelope, report: Buffer, suffix: string): Promise<void> {
    const localUser = await this.localUser(entry.from);
    if (localUser) {
      await this.options.store.deliver(localUser, Buffer.concat([Buffer.from('Return-Path: <>\r\n'), report]));
      this.log(`queue ${entry.id}: delivery status notification delivered to ${localUser}'s Maildir`);
      return;
    }
    const id = `${entry.id}-${suffix}`;
    await this.options.queue.enqueue({ id, from: '', recipients: [entry.from], queuedAt: new Date(this.clock.now()).toISOString(), attempts: 0 }, report);
    this.log(`queue ${entry.id}: delivery status notification to <${entry.from}> queued as ${id}`);
  }

  /** The local user a sender address belongs to, matched like the SMTP backend does (case-insensitively). */
  private async localUser(address: string): Promise<string | undefined> {
    const domain = domainOf(address);
    if (domain !== '' && !this.options.localDomains.some((local) => local.toLowerCase() === domain)) return undefined;
    const localPart = address.includes('@') ? address.slice(0, address.lastIndexOf('@')) : address;
    const users = await this.options.users.all();
    if (users.has(localPart)) return localPart;
    return [...users.keys()].find((name) => name.toLowerCase() === localPart.toLowerCase());
  }

  private log(text: string): void {
    this.options.onLog?.(text);
  }
}

function failureOf(result: RecipientResult): QueuedFailure {
  return result.enhanced !== undefined
    ? { code: result.code, enhanced: result.enhanced, text: result.text, host: result.host }
    : { code: result.code, text: result.text, host: result.host };
}
