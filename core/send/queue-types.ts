/**
 * What a queue entry records about its message's delivery reports: the DSN
 * parameters the client gave (RFC 3461) and why an attempt failed. Plain data,
 * shared by the queue (core/store/outbound-queue.ts) and the report builders
 * (core/send/bounce.ts, core/send/dsn-report.ts), which are pure.
 */

/** The DSN parameters of a queued message, as the client gave them (core/smtp/dsn-parameters.ts checks them). */
export interface QueuedDsn {
  ret?: string;
  envid?: string;
  /** By recipient address. */
  recipients?: Record<string, { notify?: string; orcpt?: string }>;
}

/** Why a delivery attempt to one recipient did not succeed. */
export interface QueuedFailure {
  /** The SMTP reply code; 0 when no server answered (connection, DNS). */
  code: number;
  enhanced?: string;
  text: string;
  host: string;
}
