/**
 * A parsed lesson: what lessons/README.md describes, as data. The parser
 * (parse-lesson.ts) builds it; the lab, the replay and the player read it.
 * Every piece keeps the line of the lesson file it came from, so a difference
 * found while replaying can point the teacher at the line to fix.
 */
import type { Protocol } from '../events.js';
import type { FaultRule } from '../faults/fault-rule.js';
import type { MechanismName } from '../sasl/exchange.js';

export type LessonMode = 'replay' | 'watch-only';

/** A message in a maildrop before the lesson starts. */
export interface FixtureMessage {
  /** 1-based, in the order of the header's `message:` lines; `{message N}` refers to it. */
  readonly number: number;
  readonly user: string;
  /** Wire format: CRLF line ends, last line terminated, not byte-stuffed. */
  readonly bytes: Buffer;
  readonly uid?: string;
  readonly seen: boolean;
  readonly line: number;
}

export interface LessonUser {
  readonly name: string;
  readonly secret: string;
  /** For VRFY replies ("Mark Crispin <Admin.MRC@foo.com>", RFC 5321 D.4). */
  readonly fullName?: string;
  readonly line: number;
}

/** A reply text override: `text.KEY: template`. */
export interface TextOverride {
  readonly key: string;
  readonly template: string;
  readonly line: number;
}

/**
 * How one server of the lesson presents itself. Unset fields keep the engine's
 * defaults. A lesson with one server has one persona named ''; `== server NAME ==`
 * blocks add named ones that start from the header's fields.
 */
export interface ServerPersona {
  readonly name: string;
  readonly line: number;
  readonly protocol: Protocol;
  readonly host?: string;
  readonly greeting?: string;
  /** The APOP timestamp; '' when the greeting has none. */
  readonly timestamp?: string;
  /** The CRAM-MD5 challenge the server sends. */
  readonly challenge?: string;
  /** A named set of texts (maillab, rfc1939, rfc5034, rfc5321) applied before `texts`. */
  readonly wording?: string;
  readonly texts: readonly TextOverride[];
  /** The exact CAPA lines (POP3) or EHLO keyword lines (SMTP); [] for none. */
  readonly capabilities?: readonly string[];
  /**
   * SMTP `extensions:`: the EHLO keywords the lab may offer in this lesson,
   * each still offered only when it applies (STARTTLS before TLS, AUTH on
   * submission…). Unset: LESSON_EXTENSIONS, the list the lessons were written
   * against, so that an extension the lab gains later does not change them.
   */
  readonly extensions?: readonly string[];
  /** SMTP `mechanisms:`: the SASL mechanisms AUTH offers, in order (OAUTHBEARER only when listed). */
  readonly mechanisms?: readonly MechanismName[];
  readonly responseCodes?: boolean;
  readonly revealUnknownUsers?: boolean;
  /** RSET's effect on LAST: RFC 1460 ('zero', the default) or RFC 1081 ('initial'). */
  readonly lastAfterRset?: 'zero' | 'initial';
  /** POP3 LOGIN-DELAY in seconds (RFC 2449 §6.5), enforced lab-wide on the lesson's fixed clock: a second login is refused. */
  readonly loginDelaySeconds?: number;
  readonly enhancedStatusCodes?: boolean;
  readonly domains: readonly string[];
  readonly relay?: boolean;
  readonly verify?: boolean;
  /** SMTP: 354 to DATA although every RCPT was refused, refusing the message at its end (RFC 2920 §4). */
  readonly acceptDataWithoutRecipients?: boolean;
  readonly lists: Readonly<Record<string, readonly string[]>>;
  /**
   * SMTP `next-hop:` lines: what the next server answers for mail relayed to a
   * domain, decided at once (the lesson's clock stands still), so that the
   * lab's delivery reports (RFC 3464) for it arrive in the sender's maildrop.
   */
  readonly nextHops?: readonly { readonly domain: string; readonly code: number; readonly enhanced?: string; readonly text: string }[];
  readonly listener?: 'mta' | 'submission';
  readonly maxMessageSize?: number;
  readonly faults: readonly FaultRule[];
  /** `plaintext-auth: off`: passwords only under TLS, as for a peer that is not on loopback (default on: accepted without TLS). */
  readonly plaintextAuth?: boolean;
  /** SMTP: the reply to AUTH before STARTTLS when plaintext-auth is off: 530 5.7.0 (RFC 3207 §4, the default) or the historic 538 5.7.11 (RFC 4954 §6). */
  readonly authBeforeTls?: 'starttls-first' | 'encryption-required';
  /** SMTP: the enhanced code of the 250 that takes a message (default 2.0.0; RFC 2034 §6 shows 2.6.0). */
  readonly dataOkEnhancedCode?: string;
  /** `tls: on`: the server offers STLS (POP3, RFC 2595) or STARTTLS (SMTP, RFC 3207). */
  readonly tls?: boolean;
  /** `tls.capabilities:`, the CAPA or EHLO keyword lines under TLS; unset: `capabilities` less STLS/STARTTLS, or the computed list. */
  readonly tlsCapabilities?: readonly string[];
  /** `tls.text.KEY:`, reply texts under TLS, over `texts`. */
  readonly tlsTexts: readonly TextOverride[];
}

/** One line on the wire as the lesson gives it. */
export interface WireLine {
  /** The exact line, without CRLF. */
  readonly text: string;
  /** The lesson file line it came from. */
  readonly line: number;
  /** Set when a placeholder (`{message 1}`) expanded to this line: how the lesson wrote it. */
  readonly placeholder?: string;
}

/**
 * One step: what the narrator says, the client lines sent together, and the
 * server lines that follow. A step without client lines is the server speaking
 * first (the greeting) or the rest of a reply the narration interrupted.
 */
export interface TranscriptStep {
  readonly narration: readonly string[];
  readonly client: readonly WireLine[];
  readonly server: readonly WireLine[];
  /** Replayed silently (setup the RFC's example takes for granted); never shown, never typed. */
  readonly hidden: boolean;
  readonly line: number;
  /**
   * `== tls ==` followed the step: its server lines are the positive reply to
   * STLS/STARTTLS, and the TLS handshake comes after them (RFC 2595 §4, RFC 3207 §4).
   */
  readonly tls?: boolean;
  /** `predict:`: the learner is asked to foresee the reply to the step's last client line before it is shown. */
  readonly predict?: Prediction;
}

/** One connection to one server, from greeting to close. */
export interface LessonSession {
  /** The persona's name ('' for the lesson's only server). */
  readonly server: string;
  readonly line: number;
  readonly steps: readonly TranscriptStep[];
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  /** The protocol of the default server. */
  readonly protocol: Protocol;
  readonly rfc: string;
  readonly mode: LessonMode;
  /** Why a watch-only lesson cannot be replayed against the lab. */
  readonly reason?: string;
  /** The file it was read from, for messages. */
  readonly file?: string;
  readonly users: readonly LessonUser[];
  readonly messages: readonly FixtureMessage[];
  /** Maildrops another session holds locked for the whole lesson (RFC 1939 §7 "maildrop already locked"). */
  readonly locked: readonly string[];
  readonly servers: readonly ServerPersona[];
  readonly sessions: readonly LessonSession[];
}

/** A malformed construct, with the line it is on. */
export interface LessonProblem {
  readonly line: number;
  readonly message: string;
}

export type ParsedLesson = { ok: true; lesson: Lesson } | { ok: false; problems: readonly LessonProblem[] };

/** The persona a session talks to. */
export function serverOf(lesson: Lesson, session: LessonSession): ServerPersona {
  const persona = lesson.servers.find((server) => server.name === session.server);
  if (!persona) throw new Error(`lesson ${lesson.id}: no server "${session.server}"`);
  return persona;
}

export type PredictionKind = 'code' | 'state' | 'verdict';

export interface Prediction {
  readonly kind: PredictionKind;
  /** The lesson's own question; unset: the player's default for the kind. */
  readonly question?: string;
  readonly line: number;
}
