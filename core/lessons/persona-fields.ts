/**
 * Persona fields: what a lesson says about a server (host, greeting, wording,
 * texts, capabilities, TLS, faults…), in the lesson header for its one server
 * or in `== server NAME ==` blocks (lessons/README.md lists them). Each field is
 * checked against the protocol of the server it describes.
 */
import type { Protocol } from '../events.js';
import type { FaultRule } from '../faults/fault-rule.js';
import { parseFaultRule } from '../faults/parse-fault.js';
import { POP3 } from '../protocols/pop3.js';
import { DEFAULT_POP3_TEXTS } from '../pop3/persona.js';
import { SMTP } from '../protocols/smtp.js';
import { SMTP_EXTENSIONS } from '../protocols/smtp-extensions.js';
import type { MechanismName } from '../sasl/exchange.js';
import { ALL_MECHANISMS, isMechanism } from '../sasl/mechanisms.js';
import { DEFAULT_SMTP_TEXTS } from '../smtp/persona.js';
import type { ServerPersona, TextOverride } from './lesson.js';

/** One `key: value` line of a lesson file. */
export interface RawField {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  /** The `>` lines under a `message:` line that gives no size. */
  body?: string[];
}

/** Where a field's problem is told: its line and a message. */
export type Report = (line: number, message: string) => void;

type Applies = Protocol | 'both';

/** Persona fields and the protocol each is for. */
export const PERSONA_FIELDS: Readonly<Record<string, Applies>> = {
  protocol: 'both',
  host: 'both',
  greeting: 'both',
  challenge: 'both',
  wording: 'both',
  capabilities: 'both',
  extensions: 'smtp',
  mechanisms: 'smtp',
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
  'next-hop': 'smtp',
  listener: 'smtp',
  'max-message-size': 'smtp',
  tls: 'both',
  'tls.capabilities': 'both',
  'plaintext-auth': 'both',
  'auth-before-tls': 'smtp',
  'data-ok-enhanced': 'smtp',
};

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

/** `text.KEY:`, or `tls.text.KEY:` for the text under TLS. */
export function isText(key: string): boolean {
  return key.startsWith('text.') || key.startsWith('tls.text.');
}

function applies(key: string, protocol: Protocol): boolean {
  const scope = isText(key) ? 'both' : PERSONA_FIELDS[key];
  return scope === 'both' || scope === protocol;
}

/** With server blocks, the header's persona fields are checked once, against the lesson's protocol. */
export function checkPersonaFields(fields: readonly RawField[], protocol: Protocol, report: Report): boolean {
  const before = { count: 0 };
  const counted: Report = (line, message) => {
    before.count++;
    report(line, message);
  };
  // A block may turn TLS on for what the header says about TLS: that is checked per server.
  buildPersona('', 1, protocol, fields, counted, false);
  return before.count === 0;
}

/** One server persona from its fields, each checked against the server's protocol. */
export function buildPersona(name: string, line: number, protocol: Protocol, fields: readonly RawField[], report: Report, whole = true): ServerPersona {
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
      case 'mechanisms': {
        const items = value.split(/[\s,]+/).filter((item) => item !== '').map((item) => item.toUpperCase());
        const unknown = items.filter((item) => !isMechanism(item));
        if (items.length === 0 || unknown.length > 0) fail(`mechanisms: names SASL mechanisms the lab implements (${ALL_MECHANISMS.join(' ')}), not "${unknown.join(' ') || value}"`);
        else persona.mechanisms = items as MechanismName[];
        break;
      }
      case 'extensions': {
        const items = value.split(/[\s,]+/).filter((item) => item !== '').map((item) => item.toUpperCase());
        const unknown = items.filter((item) => !SMTP_EXTENSIONS.some((extension) => extension.keyword === item));
        if (items.length === 0 || unknown.length > 0) fail(`extensions: names EHLO keywords the lab supports (${SMTP_EXTENSIONS.map((extension) => extension.keyword).join(' ')}), not "${unknown.join(' ') || value}"`);
        else persona.extensions = items;
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
      case 'next-hop': {
        // "next-hop: gone.example 550 5.1.1 No such user": a 4xx defers (a delay report), a 5xx refuses (a failure report).
        const match = /^(\S+)\s+([45]\d\d)(?:\s+([45]\.\d{1,3}\.\d{1,3}))?\s+(\S.*)$/.exec(value);
        if (!match || !DOMAIN.test(match[1]!) || (match[3] !== undefined && match[3][0] !== match[2]![0])) fail('write "next-hop: DOMAIN CODE [ENHANCED] TEXT", a 4xx or 5xx reply, as in "next-hop: gone.example 550 5.1.1 No such user"');
        else persona.nextHops = [...(persona.nextHops ?? []), { domain: match[1]!.toLowerCase(), code: Number(match[2]), ...(match[3] !== undefined ? { enhanced: match[3] } : {}), text: match[4]! }];
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
