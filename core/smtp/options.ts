/** How an SMTP engine is set up: what the adapter decides per connection, and the lab's defaults. */
import type { AuthPenalty } from '../engine/auth-penalty.js';
import { given, type EngineSettings } from '../engine/engine-settings.js';
import type { FaultPlan } from '../faults/fault-plan.js';
import { DEFAULT_SMTP_PERSONA, type SmtpPersona } from './persona.js';

export type SmtpListenerKind = 'mta' | 'submission';

export interface SmtpSessionOptions {
  persona: SmtpPersona;
  /** MTA: local delivery, no AUTH; submission: AUTH required before MAIL (RFC 6409 §4.3). */
  listener: SmtpListenerKind;
  secure: boolean;
  tlsAvailable: boolean;
  plaintextAuthAllowed: boolean;
  /** The client's IP address, for the Received line. */
  remoteAddress: string;
  /** SIZE limit in octets (RFC 1870). */
  maxMessageSize: number;
  /** RFC 5321 §4.5.3.1.8: at least 100. */
  maxRecipients: number;
  maxBadCommands: number;
  /** Commands allowed before a login (before EHLO on the MTA port, before AUTH on submission); absent: no cap. */
  maxCommandsBeforeLogin?: number;
  /** A fresh CRAM-MD5 challenge (RFC 2195 §2). */
  challenge: () => string;
  /** The clock, for Received lines; injected so the engine reads no clock itself. */
  now: () => Date;
  /** A fresh queue id for an accepted message (Received line and 250 reply). */
  nextId: () => string;
  authFailureDelay: (failures: number) => number;
  /** Failed logins remembered across connections, bound to this connection's address (core/engine/auth-penalty.ts). */
  authPenalty?: AuthPenalty;
  /** Scripted misbehaviour for this session (a lab's fault rules, core/faults); none when absent. */
  faults?: FaultPlan;
}

export const DEFAULT_SMTP_OPTIONS: Omit<SmtpSessionOptions, 'listener' | 'secure' | 'tlsAvailable' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId'> = {
  persona: DEFAULT_SMTP_PERSONA,
  maxMessageSize: 10 * 1024 * 1024,
  maxRecipients: 100,
  maxBadCommands: 10,
  authFailureDelay: (failures) => Math.min(500 * 2 ** (failures - 1), 8000),
};

/** SMTP options without what each connection decides (its security, address, challenge, clock, ids, penalty). */
export type SmtpBaseOptions = Omit<SmtpSessionOptions, 'secure' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId' | 'authPenalty'>;

/** The options of a lab's SMTP sessions on one kind of listener, from its settings (core/engine/engine-settings.ts); the one place the defaults are spread. */
export function smtpBaseOptions(settings: EngineSettings, listener: SmtpListenerKind): SmtpBaseOptions {
  return {
    ...DEFAULT_SMTP_OPTIONS,
    persona: { ...DEFAULT_SMTP_PERSONA, hostname: settings.hostname },
    listener,
    tlsAvailable: settings.tlsAvailable,
    ...given({ maxBadCommands: settings.maxBadCommands, authFailureDelay: settings.authFailureDelay, maxMessageSize: settings.maxMessageSize, maxRecipients: settings.maxRecipients, maxCommandsBeforeLogin: settings.maxCommandsBeforeLogin }),
  };
}
