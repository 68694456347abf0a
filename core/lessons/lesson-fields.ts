/**
 * The header of a lesson and its `== server NAME ==` blocks: `key: value`
 * fields, checked one by one (lessons/README.md lists them). Lesson fields
 * (id, users, messages) live in the header only; persona fields (host,
 * greeting, texts, capabilities, faults…) describe a server, in the header
 * for the lesson's one server or as defaults every server block starts from.
 */
import type { Protocol } from '../events.js';
import type { FaultRule } from '../faults/fault-rule.js';
import { parseFaultRule } from '../faults/parse-fault.js';
import { POP3 } from '../protocols/pop3.js';
import { DEFAULT_POP3_TEXTS } from '../pop3/persona.js';
import { SMTP } from '../protocols/smtp.js';
import { DEFAULT_SMTP_TEXTS } from '../smtp/persona.js';
import { isValidMailboxName } from '../store/mail-store.js';
import type { FixtureMessage, Lesson, LessonMode, LessonUser, ServerPersona, TextOverride } from './lesson.js';
import { messageOfSize, smallestMessage } from './placeholders.js';

export interface RawField {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  /** The `>` lines under a `message:` line that gives no size. */
  body?: string[];
}

export interface ServerBlock {
  readonly name: string;
  readonly line: number;
  readonly fields: RawField[];
}

type Report = (line: number, message: string) => void;

type Applies = Protocol | 'both';
/** Persona fields and the protocol each is for. */
const PERSONA_FIELDS: Readonly<Record<string, Applies>> = {
  protocol: 'both',
  host: 'both',
  greeting: 'both',
  challenge: 'both',
  wording: 'both',
  capabilities: 'both',
  fault: 'both',
  timestamp: 'pop3',
  'response-codes': 'pop3',
  'reveal-unknown-users': 'pop3',
  'last-after-rset': 'pop3',
  'login-delay': 'pop3',
  'enhanced-status-codes': 'smtp',
  'data-without-recipients': 'smtp',
  domain: 'smtp',
  relay: 'smtp',
  verify: 'smtp',
  list: 'smtp',
  listener: 'smtp',
  'max-message-size': 'smtp',
  tls: 'both',
  'tls.capabilities': 'both',
  'plaintext-auth': 'both',
  'auth-before-tls': 'smtp',
  'data-ok-enhanced': 'smtp',
};
const LESSON_FIELDS = new Set(['id', 'title', 'rfc', 'mode', 'reason', 'user', 'full-name', 'message', 'locked']);
const REPEATABLE = new Set(['user', 'full-name', 'message', 'locked', 'domain', 'list', 'fault']);

export const WORDINGS: Readonly<Record<Protocol, readonly string[]>> = { pop3: ['maillab', 'rfc1939', 'rfc5034'], smtp: ['maillab', 'rfc5321'] };
/** The keys `text.KEY` may name, per protocol, in the file's kebab-case. */
export const TEXT_KEYS: Readonly<Record<Protocol, readonly string[]>> = {
  pop3: Object.keys(DEFAULT_POP3_TEXTS).map(kebab),
  smtp: Object.keys(DEFAULT_SMTP_TEXTS).map(kebab),
};
const VERBS: Readonly<Record<Protocol, ReadonlySet<string>>> = {
  pop3: new Set(POP3.commands.map((command) => command.name)),
  smtp: new Set(SMTP.commands.map((command) => command.name)),
};
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const ANGLE_STAMP = /^<[\x21-\x3b\x3d\x3f-\x7e]+>$/;

export interface BuiltHeader {
  lesson: Omit<Lesson, 'sessions' | 'file'>;
  messages: readonly FixtureMessage[];
  servers: readonly ServerPersona[];
}

/** Builds the lesson's identity, lab and personas; undefined when a required field is missing or unreadable. */
export function buildHeader(header: readonly RawField[], blocks: readonly ServerBlock[], report: Report): BuiltHeader | undefined {
  const personaFields: RawField[] = [];
  const single = new Map<string, RawField>();
  for (const field of header) {
    if (!LESSON_FIELDS.has(field.key) && !(field.key in PERSONA_FIELDS) && !isText(field.key)) {
      report(field.line, `unknown field "${field.key}:"; lessons/README.md lists the fields`);
      continue;
    }
    if (!checkOnce(field, single, report)) continue;
    if (!LESSON_FIELDS.has(field.key)) personaFields.push(field);
  }
  const value = (key: string) => single.get(key)?.value;
  const protocol = readProtocol(single.get('protocol'), report);
  const mode = readMode(single.get('mode'), report);
  for (const key of ['id', 'title', 'protocol', 'rfc']) {
    if (value(key) === undefined || value(key) === '') report(single.get(key)?.line ?? 1, `the header needs "${key}:"${key === 'protocol' ? ' (pop3 or smtp)' : ''}`);
  }
  const id = value('id');
  if (id && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) report(single.get('id')!.line, `id "${id}" may hold only letters, digits, ".", "_" and "-"`);
  const reason = single.get('reason');
  if (mode === 'watch-only' && !reason?.value) report(reason?.line ?? single.get('mode')!.line, 'a watch-only lesson needs "reason:": why it cannot be replayed against the lab');
  if (mode === 'replay' && reason) report(reason.line, '"reason:" is only for watch-only lessons');

  const users = readUsers(header, report);
  const messages = readMessages(header, users, report);
  const locked = header.filter((field) => field.key === 'locked').map((field) => field.value);
  header.filter((field) => field.key === 'locked').forEach((field) => {
    if (!users.some((user) => user.name === field.value)) report(field.line, `locked: names "${field.value}", who is not a user: of this lesson`);
  });
  if (!protocol || !id || !value('title') || !value('rfc')) return undefined;

  const servers: ServerPersona[] = [];
  if (blocks.length === 0) servers.push(buildPersona('', 1, protocol, personaFields, report));
  const inheritedChecked = blocks.length > 0 ? checkPersonaFields(personaFields, protocol, report) : true;
  for (const block of blocks) {
    const own = new Map<string, RawField>();
    const blockFields: RawField[] = [];
    for (const field of block.fields) {
      if (LESSON_FIELDS.has(field.key)) report(field.line, `"${field.key}:" belongs in the lesson header: users and messages are shared by every server`);
      else if (!(field.key in PERSONA_FIELDS) && !isText(field.key)) report(field.line, `unknown field "${field.key}:"; lessons/README.md lists the fields`);
      else if (checkOnce(field, own, report)) blockFields.push(field);
    }
    const blockProtocol = readProtocol(own.get('protocol'), report) ?? protocol;
    const overridden = new Set(blockFields.map((field) => field.key));
    // A server of the other protocol starts from maillab's defaults: the header's wording and texts are not for it.
    const inherited = inheritedChecked && blockProtocol === protocol
      ? personaFields.filter((field) => !overridden.has(field.key) && field.key !== 'protocol')
      : [];
    servers.push(buildPersona(block.name, block.line, blockProtocol, [...inherited, ...blockFields], report));
  }
  const lesson = {
    id,
    title: value('title')!,
    protocol,
    rfc: value('rfc')!,
    mode,
    ...(reason?.value ? { reason: reason.value } : {}),
    users,
    messages,
    locked,
    servers,
  };
  return { lesson, messages, servers };
}

/** A single-valued field may be given once. */
function checkOnce(field: RawField, seen: Map<string, RawField>, report: Report): boolean {
  if (REPEATABLE.has(field.key)) return true;
  const first = seen.get(field.key);
  if (first) {
    report(field.line, `"${field.key}:" is given twice (first on line ${first.line})`);
    return false;
  }
  seen.set(field.key, field);
  return true;
}

/** `text.KEY:`, or `tls.text.KEY:` for the text under TLS. */
function isText(key: string): boolean {
  return key.startsWith('text.') || key.startsWith('tls.text.');
}

function applies(key: string, protocol: Protocol): boolean {
  const scope = isText(key) ? 'both' : PERSONA_FIELDS[key];
  return scope === 'both' || scope === protocol;
}

/** With server blocks, the header's persona fields are checked once, against the lesson's protocol. */
function checkPersonaFields(fields: readonly RawField[], protocol: Protocol, report: Report): boolean {
  const before = { count: 0 };
  const counted: Report = (line, message) => {
    before.count++;
    report(line, message);
  };
  // A block may turn TLS on for what the header says about TLS: that is checked per server.
  buildPersona('', 1, protocol, fields, counted, false);
  return before.count === 0;
}

function readProtocol(field: RawField | undefined, report: Report): Protocol | undefined {
  if (!field) return undefined;
  const value = field.value.toLowerCase();
  if (value === 'pop3' || value === 'smtp') return value;
  report(field.line, `protocol "${field.value}" is not pop3 or smtp`);
  return undefined;
}

function readMode(field: RawField | undefined, report: Report): LessonMode {
  if (!field) return 'replay';
  if (field.value === 'replay' || field.value === 'watch-only') return field.value;
  report(field.line, `mode "${field.value}" is not replay or watch-only`);
  return 'replay';
}

function readUsers(header: readonly RawField[], report: Report): LessonUser[] {
  const users: LessonUser[] = [];
  for (const field of header.filter((entry) => entry.key === 'user')) {
    const match = /^(\S+)\s+(.+)$/.exec(field.value);
    if (!match) report(field.line, 'write "user: NAME SECRET" (the secret is the rest of the line)');
    else if (!isValidMailboxName(match[1]!)) report(field.line, `"${match[1]}" is not a mailbox name (letters, digits, ".", "_", "+", "-")`);
    else if (users.some((user) => user.name === match[1])) report(field.line, `user "${match[1]}" is listed twice`);
    else users.push({ name: match[1]!, secret: match[2]!, line: field.line });
  }
  for (const field of header.filter((entry) => entry.key === 'full-name')) {
    const match = /^(\S+)\s+(.+)$/.exec(field.value);
    const index = match ? users.findIndex((user) => user.name === match[1]) : -1;
    if (!match) report(field.line, 'write "full-name: NAME Full Name"');
    else if (index === -1) report(field.line, `full-name: names "${match[1]}", who is not a user: of this lesson`);
    else users[index] = { ...users[index]!, fullName: match[2]! };
  }
  return users;
}

function readMessages(header: readonly RawField[], users: readonly LessonUser[], report: Report): FixtureMessage[] {
  const messages: FixtureMessage[] = [];
  for (const field of header.filter((entry) => entry.key === 'message')) {
    const [user = '', ...words] = field.value.split(/\s+/).filter((word) => word !== '');
    const number = messages.length + 1;
    let size: number | undefined;
    let uid: string | undefined;
    let seen = false;
    let bad = false;
    if (user === '') {
      report(field.line, 'write "message: USER SIZE [uid=UID] [seen]", or "message: USER" with the text on ">" lines below');
      continue;
    }
    if (!users.some((entry) => entry.name === user)) {
      report(field.line, `message: names "${user}", who is not a user: of this lesson`);
      bad = true;
    }
    for (const word of words) {
      if (/^\d+$/.test(word) && size === undefined && uid === undefined && !seen) size = Number(word);
      else if (word.startsWith('uid=') && uid === undefined) uid = word.slice(4);
      else if (word === 'seen' && !seen) seen = true;
      else {
        report(field.line, `unexpected "${word}" in message:; expected a size, uid=UID or seen`);
        bad = true;
      }
    }
    if (uid !== undefined && !/^[\x21-\x7e]{1,70}$/.test(uid)) {
      report(field.line, `uid "${uid}" must be 1 to 70 printable characters without spaces (RFC 1939 §7)`);
      bad = true;
    }
    const subject = `message ${number}`;
    if (size !== undefined && size < smallestMessage(subject)) {
      report(field.line, `a message of ${size} octets is too small to build; the smallest is ${smallestMessage(subject)}`);
      bad = true;
    }
    if (size === undefined && (field.body === undefined || field.body.length === 0)) {
      report(field.line, 'this message has neither a size nor text: give its size in octets, or its lines below it, each starting with "> "');
      bad = true;
    }
    if (bad) continue;
    const bytes = size !== undefined ? messageOfSize(size, subject) : Buffer.from(field.body!.map((text) => `${text}\r\n`).join(''), 'utf8');
    messages.push({ number, user, bytes, ...(uid !== undefined ? { uid } : {}), seen, line: field.line });
  }
  return messages;
}

/** One server persona from its fields, each checked against the server's protocol. */
function buildPersona(name: string, line: number, protocol: Protocol, fields: readonly RawField[], report: Report, whole = true): ServerPersona {
  const persona: { -readonly [K in keyof ServerPersona]: ServerPersona[K] } = { name, line, protocol, texts: [], tlsTexts: [], domains: [], lists: {}, faults: [] };
  const texts: TextOverride[] = [];
  const tlsTexts: TextOverride[] = [];
  const domains: string[] = [];
  const lists: Record<string, string[]> = {};
  const faults: FaultRule[] = [];
  for (const field of fields) {
    const { key, value } = field;
    if (!applies(key, protocol)) {
      report(field.line, `"${key}:" is for ${PERSONA_FIELDS[key] === 'pop3' ? 'POP3' : 'SMTP'} servers; this server speaks ${protocol.toUpperCase()}`);
      continue;
    }
    const fail = (message: string) => report(field.line, message);
    const flag = (): boolean | undefined => (value === 'on' ? true : value === 'off' ? false : (fail(`"${key}:" is on or off, not "${value}"`), undefined));
    if (isText(key)) {
      const underTls = key.startsWith('tls.');
      const textKey = key.slice(underTls ? 9 : 5);
      if (!TEXT_KEYS[protocol].includes(textKey)) fail(`unknown ${protocol.toUpperCase()} text "${textKey}"; known: ${TEXT_KEYS[protocol].join(', ')}`);
      else (underTls ? tlsTexts : texts).push({ key: camel(textKey), template: value, line: field.line });
      continue;
    }
    switch (key) {
      case 'protocol':
        break;
      case 'host':
        if (!/^[\x21-\x7e]+$/.test(value)) fail(`host "${value}" must be one word of printable characters`);
        else persona.host = value;
        break;
      case 'greeting':
        if (value === '') fail('greeting: needs the greeting text');
        else persona.greeting = value;
        break;
      case 'timestamp':
        if (value === 'off') persona.timestamp = '';
        else if (!ANGLE_STAMP.test(value)) fail(`timestamp "${value}" must look like <1896.697170952@dbc.mtview.ca.us> (RFC 1939 §7), or be off`);
        else persona.timestamp = value;
        break;
      case 'challenge':
        if (!ANGLE_STAMP.test(value)) fail(`challenge "${value}" must look like <1896.697170952@postoffice.example.net> (RFC 2195 §2)`);
        else persona.challenge = value;
        break;
      case 'wording':
        if (!WORDINGS[protocol].includes(value)) fail(`unknown ${protocol.toUpperCase()} wording "${value}"; known: ${WORDINGS[protocol].join(', ')}`);
        else persona.wording = value;
        break;
      case 'capabilities':
      case 'tls.capabilities': {
        const items = value === 'none' ? [] : value.split(',').map((item) => item.trim());
        if (value === '' || items.some((item) => item === '')) fail(`${key}: lists the lines separated by commas ("TOP, USER, SASL PLAIN"), or says none`);
        else if (key === 'capabilities') persona.capabilities = items;
        else persona.tlsCapabilities = items;
        break;
      }
      case 'tls':
        persona.tls = flag();
        break;
      case 'data-ok-enhanced':
        if (!/^2\.\d{1,3}\.\d{1,3}$/.test(value)) fail(`data-ok-enhanced "${value}" is not a success enhanced code like 2.6.0 (RFC 3463 §2)`);
        else persona.dataOkEnhancedCode = value;
        break;
      case 'plaintext-auth':
        persona.plaintextAuth = flag();
        break;
      case 'auth-before-tls':
        if (value !== 'starttls-first' && value !== 'encryption-required') fail(`auth-before-tls is "starttls-first" (530 5.7.0, RFC 3207 §4; the default) or "encryption-required" (538 5.7.11, historic: RFC 4954 §6), not "${value}"`);
        else persona.authBeforeTls = value;
        break;
      case 'response-codes':
        persona.responseCodes = flag();
        break;
      case 'reveal-unknown-users':
        persona.revealUnknownUsers = flag();
        break;
      case 'login-delay':
        if (!/^[1-9]\d{0,6}$/.test(value)) fail(`login-delay "${value}" is not a number of seconds`);
        else persona.loginDelaySeconds = Number(value);
        break;
      case 'last-after-rset':
        if (value !== 'zero' && value !== 'initial') fail(`last-after-rset is "zero" (RFC 1460) or "initial" (RFC 1081), not "${value}"`);
        else persona.lastAfterRset = value;
        break;
      case 'enhanced-status-codes':
        persona.enhancedStatusCodes = flag();
        break;
      case 'relay':
        persona.relay = flag();
        break;
      case 'data-without-recipients':
        if (value !== 'accept' && value !== 'refuse') fail(`data-without-recipients is "refuse" (RFC 2920 §3.2, the default) or "accept", not "${value}"`);
        else persona.acceptDataWithoutRecipients = value === 'accept';
        break;
      case 'verify':
        persona.verify = flag();
        break;
      case 'domain':
        if (!DOMAIN.test(value)) fail(`"${value}" is not a domain name like foo.com`);
        else domains.push(value.toLowerCase());
        break;
      case 'list': {
        const match = /^(\S+)\s+(\S.*)$/.exec(value);
        const members = match ? match[2]!.split(',').map((member) => member.trim()) : [];
        // A member is an address, or a full name and an address in angle brackets (RFC 5321 §3.5.1's EXPN example).
        const member = /^(?:[^\s@<>]+@[^\s@<>]+|[^<>@,]+ <[^\s@<>]+@[^\s@<>]+>)$/;
        if (!match || members.some((entry) => !member.test(entry))) fail('write "list: NAME user@domain, Full Name <user@domain>, …"');
        else lists[match[1]!] = members;
        break;
      }
      case 'listener':
        if (value !== 'mta' && value !== 'submission') fail(`listener "${value}" is not mta or submission`);
        else persona.listener = value;
        break;
      case 'max-message-size':
        if (!/^[1-9]\d*$/.test(value)) fail(`max-message-size "${value}" is not a positive number of octets`);
        else persona.maxMessageSize = Number(value);
        break;
      case 'fault': {
        const parsed = parseFaultRule(value);
        if (!parsed.ok) fail(`fault: ${parsed.reason}`);
        else if (parsed.rule.protocol && parsed.rule.protocol !== protocol) fail(`this fault is for ${parsed.rule.protocol.toUpperCase()}, but the server speaks ${protocol.toUpperCase()}`);
        else if (!VERBS[protocol].has(parsed.rule.command)) fail(`${parsed.rule.command} is not a ${protocol.toUpperCase()} command: this fault could never apply`);
        else faults.push(parsed.rule);
        break;
      }
    }
  }
  const underTls = fields.find((field) => field.key === 'tls.capabilities' || field.key.startsWith('tls.text.'));
  if (whole && underTls && persona.tls !== true) report(underTls.line, `"${underTls.key}:" says what the server sends under TLS, but it offers no TLS: add "tls: on"`);
  return { ...persona, texts, tlsTexts, domains, lists, faults };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
