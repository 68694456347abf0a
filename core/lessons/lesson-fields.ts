/**
 * The header of a lesson and its `== server NAME ==` blocks: `key: value`
 * fields, checked one by one (lessons/README.md lists them). Lesson fields
 * (id, users, messages) live in the header only and are read here; persona
 * fields (host, greeting, texts, capabilities, faults…) describe a server, in
 * the header for the lesson's one server or as defaults every server block
 * starts from, and are read in ./persona-fields.ts.
 */
import type { Protocol } from '../events.js';
import { isValidMailboxName } from '../store/mail-store.js';
import type { FixtureMessage, Lesson, LessonMode, LessonUser, ServerPersona } from './lesson.js';
import { buildPersona, checkPersonaFields, isText, PERSONA_FIELDS, type RawField, type Report } from './persona-fields.js';
import { messageOfSize, smallestMessage } from './placeholders.js';

export type { RawField } from './persona-fields.js';

export interface ServerBlock {
  readonly name: string;
  readonly line: number;
  readonly fields: RawField[];
}

const LESSON_FIELDS = new Set(['id', 'title', 'rfc', 'mode', 'reason', 'user', 'full-name', 'message', 'locked']);
const REPEATABLE = new Set(['user', 'full-name', 'message', 'locked', 'domain', 'list', 'fault', 'next-hop']);

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
