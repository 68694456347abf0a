/**
 * The one factory of engine options. The lab's listeners (core/lab), the
 * in-process sandbox (core/sandbox) and the lesson lab (core/lessons) each run
 * both engines; they differ only in a few settings (host name, TLS, limits,
 * how failures are delayed) and in what each connection adds (its security,
 * its timestamp and challenge, its clock). Everything else comes from here, so
 * a new option or extension is switched on in one place.
 */
import { DEFAULT_POP3_OPTIONS, type Pop3SessionOptions } from '../pop3/options.js';
import { DEFAULT_SMTP_PERSONA } from '../smtp/persona.js';
import { DEFAULT_SMTP_OPTIONS, type SmtpListenerKind, type SmtpSessionOptions } from '../smtp/options.js';

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
}

/** POP3 options without what each connection decides (its security, APOP timestamp, challenge, penalty). */
export type Pop3BaseOptions = Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'plaintextAuthAllowed' | 'authPenalty'>;
/** SMTP options without what each connection decides (its security, address, challenge, clock, ids, penalty). */
export type SmtpBaseOptions = Omit<SmtpSessionOptions, 'secure' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId' | 'authPenalty'>;

/** The settings that were given, without the absent ones (so they do not hide the defaults). */
function given<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function pop3BaseOptions(settings: EngineSettings): Pop3BaseOptions {
  return {
    ...DEFAULT_POP3_OPTIONS,
    serverName: settings.hostname,
    tlsAvailable: settings.tlsAvailable,
    ...given({ maxBadCommands: settings.maxBadCommands, authFailureDelay: settings.authFailureDelay, loginDelaySeconds: settings.loginDelaySeconds }),
  };
}

export function smtpBaseOptions(settings: EngineSettings, listener: SmtpListenerKind): SmtpBaseOptions {
  return {
    ...DEFAULT_SMTP_OPTIONS,
    persona: { ...DEFAULT_SMTP_PERSONA, hostname: settings.hostname },
    listener,
    tlsAvailable: settings.tlsAvailable,
    ...given({ maxBadCommands: settings.maxBadCommands, authFailureDelay: settings.authFailureDelay, maxMessageSize: settings.maxMessageSize, maxRecipients: settings.maxRecipients }),
  };
}
