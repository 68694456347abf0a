/**
 * The lab a lesson runs against, built from its header: one memory store and
 * user directory shared by every server of the lesson, and each persona
 * turned into engine options. The in-process lab and the TCP lab of
 * `lesson check` both start from these parts, so they serve the same thing.
 */
import type { EngineSettings } from '../engine/engine-settings.js';
import { FaultPlan } from '../faults/fault-plan.js';
import { createMemorySmtpBackend, type RelayedMessage } from '../store/memory-smtp-backend.js';
import { createPop3Backend } from '../store/pop3-backend.js';
import type { Pop3Backend } from '../pop3/backend.js';
import { DEFAULT_POP3_TEXTS, RFC1939_TEXTS, RFC5034_TEXTS, type Pop3Texts } from '../pop3/persona.js';
import { pop3BaseOptions, type Pop3SessionOptions } from '../pop3/options.js';
import type { NextHopReply } from '../send/dsn-report.js';
import type { SmtpBackend } from '../smtp/backend.js';
import { DEFAULT_SMTP_PERSONA, DEFAULT_SMTP_TEXTS, RFC5321_TEXTS, type SmtpTexts } from '../smtp/persona.js';
import { smtpBaseOptions, type SmtpSessionOptions } from '../smtp/options.js';
import { MemoryStore } from '../store/memory-store.js';
import { StaticUsers } from '../store/user-directory.js';
import type { Lesson, ServerPersona } from './lesson.js';

/**
 * The EHLO keywords a lesson's SMTP server may offer unless the lesson says
 * `extensions:`: the lab's list when the lessons that show it were written.
 * An extension the lab gains later (DSN) appears only in a lesson that names
 * it, so no replayed EHLO reply changes under a lesson (lessons/README.md).
 */
export const LESSON_EXTENSIONS: readonly string[] = ['PIPELINING', 'SIZE', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH', 'HELP'];

/** The host name a persona without `host:` uses. */
export const DEFAULT_LESSON_HOST = 'maillab.test';
/** The Received date of mail delivered in a lesson: fixed, so a replay never depends on the clock. */
export const LESSON_CLOCK = new Date(Date.UTC(2000, 0, 1, 0, 0, 0));

export interface LessonLabParts {
  readonly lesson: Lesson;
  readonly store: MemoryStore;
  /** Mail SMTP accepted for other domains. */
  readonly relayed: RelayedMessage[];
  readonly pop3Backend: Pop3Backend;
  smtpBackend(persona: ServerPersona): SmtpBackend;
  /** Everything a POP3 session of this persona needs, but the connection-specific flags. */
  pop3Options(persona: ServerPersona, session: number): Pop3SessionOptions;
  smtpOptions(persona: ServerPersona, session: number): SmtpSessionOptions;
}

/** Builds the store (messages, UIDs, seen flags, locked maildrops) and the personas' options. */
export async function buildLessonLab(lesson: Lesson): Promise<LessonLabParts> {
  const store = new MemoryStore();
  for (const message of lesson.messages) store.add(message.user, message.bytes, { ...(message.uid !== undefined ? { uid: message.uid } : {}), seen: message.seen });
  // A maildrop "another session" holds: opened here and never released.
  for (const user of lesson.locked) await store.openMaildrop(user);
  const users = new StaticUsers(Object.fromEntries(lesson.users.map((user) => [user.name, user.secret])));
  const fullNames = new Map(lesson.users.flatMap((user) => (user.fullName ? [[user.name, user.fullName] as const] : [])));
  const relayed: RelayedMessage[] = [];
  let ids = 0;
  return {
    lesson,
    store,
    relayed,
    // The lesson's clock stands still, so with a LOGIN-DELAY every second login comes too soon.
    pop3Backend: createPop3Backend(users, store, { loginDelaySeconds: loginDelayOf(lesson), now: () => LESSON_CLOCK.getTime() }),
    smtpBackend: (persona) =>
      // The RFCs' examples send as relaying clients do (RFC 4954 §5.1): any sender once logged in.
      createMemorySmtpBackend({
        users,
        store,
        domains: domainsOf(persona),
        openRelay: persona.relay === true,
        foreignSenders: true,
        fullNames,
        relayed,
        // Delivery reports (RFC 3464) on the lesson's clock: NOTIFY=SUCCESS, and the `next-hop:` answers.
        reports: { hostname: persona.host ?? DEFAULT_LESSON_HOST, now: () => LESSON_CLOCK, nextHop: (domain) => nextHopOf(persona, domain) },
      }),
    pop3Options: (persona, session) => {
      const host = persona.host ?? DEFAULT_LESSON_HOST;
      const base = pop3BaseOptions(settingsOf(persona));
      return {
        ...base,
        greetingText: persona.greeting ?? base.greetingText,
        timestamp: persona.timestamp ?? `<1896.697170952@${host}>`,
        challenge: () => persona.challenge ?? `<1896.697170952@${host}>`,
        secure: false,
        plaintextAuthAllowed: persona.plaintextAuth !== false,
        texts: pop3Texts(persona),
        ...(persona.tlsTexts.length > 0 ? { tlsTexts: overrides<Pop3Texts>(persona.tlsTexts, DEFAULT_POP3_TEXTS) } : {}),
        ...(persona.tlsCapabilities !== undefined ? { tlsCapabilities: persona.tlsCapabilities } : {}),
        ...(persona.revealUnknownUsers !== undefined ? { revealUnknownUsers: persona.revealUnknownUsers } : {}),
        ...(persona.responseCodes !== undefined ? { responseCodes: persona.responseCodes } : {}),
        ...(persona.lastAfterRset !== undefined ? { lastAfterRset: persona.lastAfterRset } : {}),
        ...(persona.capabilities !== undefined ? { capabilities: persona.capabilities } : {}),
        ...faultsOf(lesson, persona, session),
      };
    },
    smtpOptions: (persona, session) => {
      const hostname = persona.host ?? DEFAULT_LESSON_HOST;
      const base = smtpBaseOptions(settingsOf(persona), persona.listener ?? 'mta');
      return {
        ...base,
        persona: {
          ...base.persona,
          texts: smtpTexts(persona),
          enhancedStatusCodes: persona.enhancedStatusCodes ?? DEFAULT_SMTP_PERSONA.enhancedStatusCodes,
          ...(persona.capabilities !== undefined ? { ehloKeywords: persona.capabilities } : {}),
          extensions: persona.extensions ?? LESSON_EXTENSIONS,
          ...(persona.mechanisms !== undefined ? { mechanisms: persona.mechanisms } : {}),
          ...(persona.tlsCapabilities !== undefined ? { tlsEhloKeywords: persona.tlsCapabilities } : {}),
          ...(persona.tlsTexts.length > 0 ? { tlsTexts: overrides<SmtpTexts>(persona.tlsTexts, DEFAULT_SMTP_TEXTS) } : {}),
          verify: persona.verify ?? false,
          ...(persona.acceptDataWithoutRecipients ? { acceptDataWithoutRecipients: true } : {}),
          ...(persona.authBeforeTls !== undefined ? { authBeforeTls: persona.authBeforeTls } : {}),
          ...(persona.dataOkEnhancedCode !== undefined ? { dataOkEnhancedCode: persona.dataOkEnhancedCode } : {}),
          lists: persona.lists,
        },
        secure: false,
        plaintextAuthAllowed: persona.plaintextAuth !== false,
        remoteAddress: '127.0.0.1',
        challenge: () => persona.challenge ?? `<1896.697170952@${hostname}>`,
        now: () => LESSON_CLOCK,
        nextId: () => `L${++ids}`,
        ...faultsOf(lesson, persona, session),
      };
    },
  };
}

/** What a persona decides of the engine options the lab, the sandbox and the lessons share (core/engine/engine-settings.ts). */
function settingsOf(persona: ServerPersona): EngineSettings {
  return {
    hostname: persona.host ?? DEFAULT_LESSON_HOST,
    tlsAvailable: persona.tls === true,
    // A lesson replays at once: no delay after a failed login.
    authFailureDelay: () => 0,
    ...(persona.loginDelaySeconds !== undefined ? { loginDelaySeconds: persona.loginDelaySeconds } : {}),
    ...(persona.maxMessageSize !== undefined ? { maxMessageSize: persona.maxMessageSize } : {}),
  };
}

/** What the persona's `next-hop:` says the next server answers for a domain. */
function nextHopOf(persona: ServerPersona, domain: string): NextHopReply | undefined {
  const hop = persona.nextHops?.find((candidate) => candidate.domain === domain);
  return hop && { code: hop.code, ...(hop.enhanced !== undefined ? { enhanced: hop.enhanced } : {}), text: hop.text, host: `mx.${hop.domain}` };
}

/** Local domains: those given, else the host name. */
export function domainsOf(persona: ServerPersona): string[] {
  return persona.domains.length > 0 ? [...persona.domains] : [(persona.host ?? DEFAULT_LESSON_HOST).toLowerCase()];
}

function pop3Texts(persona: ServerPersona): Partial<Pop3Texts> {
  const base = persona.wording === 'rfc1939' ? RFC1939_TEXTS : persona.wording === 'rfc5034' ? RFC5034_TEXTS : {};
  const texts: Partial<Pop3Texts> = { ...base };
  for (const override of persona.texts) {
    if (override.key in DEFAULT_POP3_TEXTS) texts[override.key as keyof Pop3Texts] = override.template;
  }
  return texts;
}

/** `tls.text.KEY:` lines as the engine's texts under TLS. */
function overrides<T extends object>(lines: ServerPersona['tlsTexts'], known: T): Partial<T> {
  return Object.fromEntries(lines.filter((line) => line.key in known).map((line) => [line.key, line.template])) as Partial<T>;
}

function smtpTexts(persona: ServerPersona): SmtpTexts {
  const texts: SmtpTexts = { ...(persona.wording === 'rfc5321' ? RFC5321_TEXTS : DEFAULT_SMTP_TEXTS) };
  if (persona.greeting !== undefined) texts.greeting = persona.greeting;
  for (const override of persona.texts) {
    if (override.key in DEFAULT_SMTP_TEXTS) texts[override.key as keyof SmtpTexts] = override.template;
  }
  return texts;
}

/**
 * The persona's fault rules as a plan for one session. Rules with a
 * probability draw from a generator seeded by the lesson id and the session,
 * so a lesson replays the same way every time, in-process and over TCP.
 */
function faultsOf(lesson: Lesson, persona: ServerPersona, session: number): { faults?: FaultPlan } {
  if (persona.faults.length === 0) return {};
  return { faults: new FaultPlan(persona.faults, seededRandom(`${lesson.id}#${session}`)) };
}

/** A small deterministic generator (mulberry32) in [0, 1). */
export function seededRandom(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The longest LOGIN-DELAY any POP3 server of the lesson sets: the backend, shared by the lab, enforces one. */
function loginDelayOf(lesson: Lesson): number {
  return Math.max(0, ...lesson.servers.map((server) => server.loginDelaySeconds ?? 0));
}
