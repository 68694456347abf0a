/**
 * The delivery status notifications one attempt of the queue runner owes
 * (RFC 3461 §5.2, RFC 3464): "relayed" for recipients that asked
 * NOTIFY=SUCCESS (the lab's client passes no NOTIFY on, so the next server
 * will not report success itself), one "delayed" report after the first
 * temporary failure, and "failed" once a recipient is refused for good or the
 * retries run out; each only as the recipient's NOTIFY asks (dsn-report.ts).
 */
import type { QueuedEnvelope, QueuedFailure } from '../store/outbound-queue.js';
import { statusOf } from './bounce.js';
import { buildDsn, recipientRequest, type DsnAction, type DsnRecipient } from './dsn-report.js';
import type { RecipientResult } from './smtp-dialogue.js';

export interface AttemptReportsInput {
  readonly entry: QueuedEnvelope;
  readonly original: Buffer;
  readonly results: readonly RecipientResult[];
  /** The retries have run out: temporary failures are final now. */
  readonly exhausted: boolean;
  readonly hostname: string;
  readonly now: Date;
  /** When the last retry is due, for Will-Retry-Until. */
  readonly retryUntil: Date;
}

export interface AttemptReports {
  /** The reports to return to the sender, each a whole message. */
  readonly messages: readonly Buffer[];
  /** The failures are reported here (the message carried DSN parameters): no plain bounce as well. */
  readonly failuresReported: boolean;
  /** A delay report is among them. */
  readonly delayReported: boolean;
}

/** Builds the reports an attempt owes; see the file comment. */
export async function attemptReports(input: AttemptReportsInput): Promise<AttemptReports> {
  const { entry, results } = input;
  const block = (result: RecipientResult, action: DsnAction): DsnRecipient => {
    const request = recipientRequest(entry.dsn, result.address);
    const mta = remoteMta(result.host);
    return {
      recipient: result.address,
      ...request,
      action,
      status: result.ok ? (result.enhanced ?? '2.0.0') : statusOf(failureOf(result)),
      ...(result.code > 0 ? { diagnostic: `${result.code} ${result.enhanced ? `${result.enhanced} ` : ''}${result.text}` } : { diagnostic: result.text, diagnosticType: 'X-maillab' }),
      ...(mta ? { remoteMta: mta } : {}),
    };
  };
  const base = {
    hostname: input.hostname,
    sender: entry.from,
    ...(entry.dsn?.ret !== undefined ? { ret: entry.dsn.ret } : {}),
    ...(entry.dsn?.envid !== undefined ? { envid: entry.dsn.envid } : {}),
    arrivalDate: new Date(entry.queuedAt),
    date: input.now,
    original: input.original,
  };
  const messages: Buffer[] = [];
  const add = (report: Buffer | undefined) => {
    if (report) messages.push(report);
    return report !== undefined;
  };
  add(await buildDsn({ ...base, recipients: results.filter((result) => result.ok).map((result) => block(result, 'relayed')) }));
  const final = results.filter((result) => !result.ok && (!result.temporary || input.exhausted));
  // A message without DSN parameters keeps the queue runner's own bounce for its failures.
  const failuresReported = entry.dsn !== undefined;
  if (failuresReported) add(await buildDsn({ ...base, recipients: final.map((result) => block(result, 'failed')) }));
  const deferred = results.filter((result) => !result.ok && result.temporary && !input.exhausted);
  const delayReported = !entry.delayReported && add(await buildDsn({ ...base, willRetryUntil: input.retryUntil, recipients: deferred.map((result) => block(result, 'delayed')) }));
  return { messages, failuresReported, delayReported };
}

function failureOf(result: RecipientResult): QueuedFailure {
  return { code: result.code, ...(result.enhanced !== undefined ? { enhanced: result.enhanced } : {}), text: result.text, host: result.host };
}

/** "mx.remote.test [127.0.0.2]:25" → "mx.remote.test"; nothing for a host that is no DNS name. */
function remoteMta(host: string): string | undefined {
  const name = host.split(' ')[0]!.replace(/:\d+$/, '');
  return /^[A-Za-z0-9.-]+$/.test(name) && name.includes('.') ? name : undefined;
}
