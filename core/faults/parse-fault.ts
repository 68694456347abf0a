/**
 * The text form of a fault rule (see fault-rule.ts), read and written. A
 * teacher types these on the command line or in a lesson header, so every
 * malformed rule gets a reason that says what is wrong and what to write.
 *
 *   rule    = [protocol ":"] COMMAND "->" action *(option)
 *   action  = quoted-reply / "drop" / "delay" MS
 *   option  = "after" N / "probability" P / "matching" PATTERN
 *
 * Verbs, keywords and the protocol prefix are case-insensitive. A quoted
 * reply may contain \" (a quote), \\ (a backslash) and \n (between the lines
 * of a multi-line SMTP reply).
 */
import { POP3 } from '../protocols/pop3.js';
import { SMTP } from '../protocols/smtp.js';
import type { Protocol } from '../events.js';
import type { FaultAction, FaultRule } from './fault-rule.js';

export type ParsedFaultRule = { ok: true; rule: FaultRule } | { ok: false; reason: string };

/** The longest reply line without its CRLF: 512 octets with it (RFC 5321 §4.5.3.1.5, RFC 2449 §4). */
export const FAULT_REPLY_LINE_LIMIT = 510;
/** The longest delay: the POP3 autologout minimum (RFC 1939 §3), well past any client's patience. */
export const FAULT_DELAY_LIMIT_MS = 600_000;

const VERBS: Readonly<Record<Protocol, ReadonlySet<string>>> = {
  pop3: new Set(POP3.commands.map((command) => command.name)),
  smtp: new Set(SMTP.commands.map((command) => command.name)),
};

/**
 * Positive replies a fault may not fake. A fault reply leaves the engine's
 * state as it was, so a "yes" that starts a new phase on the client's side
 * would have the server misread every byte that follows.
 */
const PHASE_STARTERS: Readonly<Record<Protocol, Readonly<Record<string, string>>>> = {
  pop3: {
    STLS: 'the client would start a TLS handshake the server is not expecting',
    RETR: 'the client would wait for a message body and a final "." that never come',
    TOP: 'the client would wait for message lines and a final "." that never come',
    CAPA: 'the client would wait for capability lines and a final "." that never come',
  },
  smtp: {
    STARTTLS: 'the client would start a TLS handshake the server is not expecting',
  },
};

/** Thrown inside the parser; becomes `{ ok: false, reason }`. */
class Malformed extends Error {}

/** Reads one rule in the text form; `source` keeps the text as written (trimmed). */
export function parseFaultRule(text: string): ParsedFaultRule {
  try {
    return { ok: true, rule: readRule(text.trim()) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The rule in its canonical text form; parsing it gives the same rule back (but for `source`). */
export function formatFaultRule(rule: FaultRule): string {
  const prefix = rule.protocol ? `${rule.protocol}:` : '';
  const after = rule.after > 0 ? ` after ${rule.after}` : '';
  const probability = rule.probability < 1 ? ` probability ${rule.probability}` : '';
  const matching = rule.matching !== undefined ? ` matching ${rule.matching}` : '';
  return `${prefix}${rule.command} -> ${formatAction(rule.action)}${after}${probability}${matching}`;
}

function formatAction(action: FaultAction): string {
  switch (action.kind) {
    case 'reply':
      return `"${action.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    case 'drop':
      return 'drop';
    case 'delay':
      return `delay ${action.ms}`;
  }
}

/** A cursor over the rule's text. */
class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  get rest(): string {
    return this.text.slice(this.position);
  }

  get atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipBlanks(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }

  /** Consumes a match of `pattern` (anchored here) and returns it, or undefined. */
  take(pattern: RegExp): RegExpExecArray | undefined {
    const match = new RegExp(`^(?:${pattern.source})`, pattern.flags).exec(this.rest);
    if (match) this.position += match[0].length;
    return match ?? undefined;
  }

  /** The next blank-separated word, for options and for quoting in reasons. */
  word(): string | undefined {
    return this.take(/\S+/)?.[0];
  }

  /** What comes next, shortened for a reason. */
  upcoming(): string {
    return shorten(this.rest.split(/\s/)[0] ?? '');
  }
}

function readRule(source: string): FaultRule {
  if (source === '') throw new Malformed('the rule is empty; write COMMAND -> action, e.g. RCPT -> "450 4.2.1 Mailbox busy"');
  const scanner = new Scanner(source);
  const protocol = readProtocol(scanner);
  const command = readCommand(scanner, protocol);
  scanner.skipBlanks();
  if (!scanner.take(/->/)) {
    throw new Malformed(scanner.atEnd ? `expected "->" and an action after ${command}` : `expected "->" after ${command}, found "${scanner.upcoming()}"`);
  }
  scanner.skipBlanks();
  const action = readAction(scanner);
  const replyProtocol = action.kind === 'reply' ? checkReply(action.text, command, protocol) : undefined;
  const options = readOptions(scanner);
  const limitedTo = protocol ?? replyProtocol;
  return {
    ...(limitedTo ? { protocol: limitedTo } : {}),
    command,
    action,
    after: options.after ?? 0,
    probability: options.probability ?? 1,
    ...(options.matching !== undefined ? { matching: options.matching } : {}),
    source,
  };
}

/** An optional "pop3:" or "smtp:" in front of the command. */
function readProtocol(scanner: Scanner): Protocol | undefined {
  const prefix = scanner.take(/([A-Za-z0-9]+)\s*:/);
  if (!prefix) return undefined;
  const name = prefix[1]!.toLowerCase();
  if (name === 'pop3' || name === 'smtp') {
    scanner.skipBlanks();
    return name;
  }
  throw new Malformed(`unknown protocol "${prefix[1]}:"; write pop3: or smtp: in front of the command, or nothing for both`);
}

/** The command verb, which must be one the engines dispatch (a rule for anything else could never fire). */
function readCommand(scanner: Scanner, protocol: Protocol | undefined): string {
  const word = scanner.take(/[A-Za-z][A-Za-z0-9]*/);
  if (!word) {
    if (scanner.rest.startsWith('->')) throw new Malformed('the command is missing before "->"; e.g. RCPT -> drop');
    if (scanner.atEnd) throw new Malformed('the command is missing after the protocol; e.g. smtp:RSET -> drop');
    throw new Malformed(`expected a command like RCPT or RETR, found "${scanner.upcoming()}"`);
  }
  const verb = word[0].toUpperCase();
  if (protocol && !VERBS[protocol].has(verb)) {
    const other: Protocol = protocol === 'pop3' ? 'smtp' : 'pop3';
    const hint = VERBS[other].has(verb) ? ` (it is ${withArticle(other)} command)` : '';
    throw new Malformed(`${verb} is not ${withArticle(protocol)} command${hint}`);
  }
  if (!VERBS.pop3.has(verb) && !VERBS.smtp.has(verb)) throw new Malformed(`${verb} is not a POP3 or SMTP command`);
  return verb;
}

function readAction(scanner: Scanner): FaultAction {
  if (scanner.atEnd) throw new Malformed('the action is missing after "->": a quoted reply, drop, or delay MS');
  if (scanner.rest.startsWith('"')) return { kind: 'reply', text: readQuoted(scanner) };
  const word = scanner.take(/[A-Za-z]+(?=\s|$)/)?.[0];
  if (word?.toLowerCase() === 'drop') return { kind: 'drop' };
  if (word?.toLowerCase() === 'delay') return { kind: 'delay', ms: readDelay(scanner) };
  throw new Malformed(`expected a quoted reply, drop or delay after "->", found "${word ?? scanner.upcoming()}"`);
}

/** The reply between quotes, with \" \\ and \n unescaped. */
function readQuoted(scanner: Scanner): string {
  const start = scanner.position;
  scanner.position++;
  let text = '';
  for (;;) {
    const char = scanner.text[scanner.position];
    scanner.position++;
    if (char === undefined || (char === '\\' && scanner.atEnd)) throw new Malformed(`the reply starting at column ${start + 1} has no closing quote`);
    if (char === '"') break;
    if (char !== '\\') {
      text += char;
      continue;
    }
    const escaped = scanner.text[scanner.position];
    scanner.position++;
    if (escaped === '"' || escaped === '\\') text += escaped;
    else if (escaped === 'n') text += '\n';
    else throw new Malformed(`unknown escape "\\${escaped ?? ''}" in the reply; only \\" \\\\ and \\n are understood`);
  }
  if (!scanner.atEnd && !/\s/.test(scanner.text[scanner.position]!)) throw new Malformed(`expected a space after the closing quote, found "${scanner.upcoming()}"`);
  return text;
}

function readDelay(scanner: Scanner): number {
  scanner.skipBlanks();
  const value = scanner.word();
  if (value === undefined) throw new Malformed('delay needs a time in milliseconds, e.g. delay 2000');
  if (!/^\d+$/.test(value)) throw new Malformed(`delay "${shorten(value)}" is not a whole number of milliseconds, e.g. delay 2000`);
  const ms = Number(value);
  if (ms === 0) throw new Malformed('delay 0 does nothing; give at least 1 ms');
  if (ms > FAULT_DELAY_LIMIT_MS) throw new Malformed(`delay ${value} is longer than ${FAULT_DELAY_LIMIT_MS} ms (10 minutes)`);
  return ms;
}

function readOptions(scanner: Scanner): { after?: number; probability?: number; matching?: string } {
  const options: { after?: number; probability?: number; matching?: string } = {};
  for (;;) {
    scanner.skipBlanks();
    const keyword = scanner.word();
    if (keyword === undefined) return options;
    const name = keyword.toLowerCase();
    if (name === 'drop' || name === 'delay' || name.startsWith('"')) {
      const second = name.startsWith('"') ? 'a second reply follows it' : `"${keyword}" starts a second`;
      throw new Malformed(`a rule has one action, but ${second}; write another rule for it`);
    }
    if (name !== 'after' && name !== 'probability' && name !== 'matching') {
      throw new Malformed(`unexpected "${shorten(keyword)}" after the action; expected after N, probability P or matching PATTERN`);
    }
    if (options[name] !== undefined) throw new Malformed(`${name} is given twice`);
    scanner.skipBlanks();
    const value = scanner.word();
    if (name === 'matching') {
      if (value === undefined) throw new Malformed('matching needs a pattern for the arguments, e.g. matching *@bank.example>*');
      options.matching = value;
      continue;
    }
    options[name] = name === 'after' ? readAfter(value) : readProbability(value);
  }
}

function readAfter(value: string | undefined): number {
  if (value === undefined) throw new Malformed('after needs a number of commands, e.g. after 2');
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new Malformed(`after "${shorten(value)}" is not a whole number of commands, e.g. after 2`);
  return Number(value);
}

function readProbability(value: string | undefined): number {
  if (value === undefined) throw new Malformed('probability needs a number more than 0 and at most 1, e.g. probability 0.3');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new Malformed(`probability "${shorten(value)}" is not a number; write a decimal like 0.3`);
  const probability = Number(value);
  if (!(probability > 0 && probability <= 1)) throw new Malformed(`probability must be more than 0 and at most 1, not ${value}`);
  return probability;
}

/**
 * Checks that the reply looks like a reply of the protocol the rule is for.
 * Returns the protocol it belongs to when neither the prefix nor the command
 * says (QUIT, NOOP, RSET and AUTH are in both): the rule is then limited to it.
 */
function checkReply(text: string, command: string, written: Protocol | undefined): Protocol | undefined {
  if (text === '') throw new Malformed('the reply is empty; e.g. "-ERR [SYS/TEMP] try later" or "451 4.3.0 try later"');
  const lines = text.split('\n');
  lines.forEach(checkLineText);
  const candidates = written ? [written] : (['pop3', 'smtp'] as const).filter((protocol) => VERBS[protocol].has(command));
  const protocol = candidates.length === 1 ? candidates[0]! : looksLike(text);
  if (!protocol) {
    throw new Malformed(`"${shorten(text)}" is not a reply: a POP3 reply starts with +OK or -ERR, an SMTP reply with a three-digit code`);
  }
  if (protocol === 'pop3') checkPop3Reply(lines, command);
  else checkSmtpReply(lines, command);
  return candidates.length > 1 ? protocol : undefined;
}

function looksLike(text: string): Protocol | undefined {
  if (text.startsWith('+') || text.startsWith('-')) return 'pop3';
  if (/^\d/.test(text)) return 'smtp';
  return undefined;
}

/** Reply text is printable US-ASCII, and a line fits in 512 octets with its CRLF. */
function checkLineText(line: string, index: number, lines: readonly string[]): void {
  const where = lines.length > 1 ? `line ${index + 1} of the reply` : 'the reply';
  const bad = /[^\x20-\x7e]/.exec(line);
  if (bad) {
    const code = bad[0].codePointAt(0)!;
    const shown = code < 0x20 || code === 0x7f ? `control character 0x${code.toString(16).padStart(2, '0')}` : `"${bad[0]}"`;
    throw new Malformed(`${where} contains ${shown}; reply text is printable US-ASCII (write \\n between the lines of a multi-line SMTP reply)`);
  }
  if (line.length > FAULT_REPLY_LINE_LIMIT) throw new Malformed(`${where} is ${line.length} characters; a reply line is at most ${FAULT_REPLY_LINE_LIMIT} plus CRLF`);
}

function checkPop3Reply(lines: readonly string[], command: string): void {
  const first = lines[0]!;
  if (lines.length > 1) throw new Malformed(`a POP3 fault reply is one +OK or -ERR line, but this one has ${lines.length}; \\n is for multi-line SMTP replies`);
  const status = /^(\+OK|-ERR)(?= |$)/.exec(first);
  if (!status) throw new Malformed(`a POP3 reply (for ${command}) starts with "+OK" or "-ERR" and a space (RFC 1939 §3), not "${shorten(first)}"`);
  const starts = PHASE_STARTERS.pop3[command];
  if (status[1] === '+OK' && starts) throw new Malformed(`a fault cannot answer ${command} with +OK: ${starts}; use -ERR, drop or delay`);
}

function checkSmtpReply(lines: readonly string[], command: string): void {
  const codes = lines.map((line, index) => {
    const match = /^(\d{3})([ -]?)/.exec(line);
    if (!match) {
      const where = lines.length > 1 ? `line ${index + 1} of the reply` : `an SMTP reply (for ${command})`;
      throw new Malformed(`${where} must start with a three-digit code (RFC 5321 §4.2), not "${shorten(line)}"`);
    }
    const code = match[1]!;
    const separator = match[2]!;
    if (separator === '' && line.length > 3) throw new Malformed(`after the code ${code} comes a space or "-", not "${line[3]}" (RFC 5321 §4.2)`);
    const last = index === lines.length - 1;
    if (!last && separator !== '-') throw new Malformed(`line ${index + 1} of ${lines.length} must be "${code}-…": every line but the last has "-" after the code (RFC 5321 §4.2.1)`);
    if (last && separator === '-') throw new Malformed(`the last line must be "${code} …", with a space after the code, not "-" (RFC 5321 §4.2.1)`);
    return code;
  });
  const first = codes[0]!;
  const other = codes.findIndex((code) => code !== first);
  if (other !== -1) throw new Malformed(`line ${other + 1} of the reply has code ${codes[other]}, but line 1 has ${first}; every line of a reply has the same code (RFC 5321 §4.2.1)`);
  if (!/^[2-5]/.test(first)) throw new Malformed(`SMTP reply codes start with 2, 3, 4 or 5 (RFC 5321 §4.2.1), not ${first}`);
  if (first.startsWith('3')) {
    throw new Malformed(`a fault cannot send the 3yz reply ${first}: it asks the client to go on (354 for DATA, 334 for AUTH), but the server would not be waiting for what comes next; use a 4yz or 5yz reply, drop or delay`);
  }
  if (command === 'BDAT') throw new Malformed('a fault cannot answer BDAT with a reply: the chunk that follows BDAT would be read as commands; use drop or delay');
  const starts = PHASE_STARTERS.smtp[command];
  if (first.startsWith('2') && starts) throw new Malformed(`a fault cannot answer ${command} with ${first}: ${starts}; use a 4yz or 5yz reply, drop or delay`);
}

function withArticle(protocol: Protocol): string {
  return protocol === 'smtp' ? 'an SMTP' : 'a POP3';
}

/** Text quoted in a reason, cut short. */
function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
