/**
 * What a lab decides for the engines of all its sessions. The lab's listeners
 * (core/lab), the in-process sandbox (core/sandbox) and the lesson lab
 * (core/lessons) each state these few settings; `pop3BaseOptions`
 * (core/pop3/options.ts) and `smtpBaseOptions` (core/smtp/options.ts) turn
 * them into engine options, the one place each protocol's defaults are
 * spread, so a new option or extension is switched on once. What each
 * connection decides (its security, timestamp, challenge, clock) the caller adds.
 */

/** What a lab decides for all its sessions; anything left out keeps the protocol's default. */
export interface EngineSettings {
  /** The host name in greetings, CAPA IMPLEMENTATION, EHLO and Received lines. */
  readonly hostname: string;
  /** A certificate is at hand, so STLS/STARTTLS may be offered (the connection may still say no). */
  readonly tlsAvailable: boolean;
  readonly maxBadCommands?: number;
  readonly authFailureDelay?: (failures: number) => number;
  /** RFC 2449 §6.5 LOGIN-DELAY, in seconds. */
  readonly loginDelaySeconds?: number;
  /** SIZE (RFC 1870), in octets. */
  readonly maxMessageSize?: number;
  readonly maxRecipients?: number;
  /** Commands a session may send before it logs in (the dispatcher's cap; the lab's login deadline is the socket's). */
  readonly maxCommandsBeforeLogin?: number;
}

/** The values that were given, without the absent ones (so they do not hide the defaults). */
export function given<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
