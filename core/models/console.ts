/**
 * The console model: a front-end-neutral input controller for a raw POP3/SMTP
 * session. Keys go in (from a terminal in raw mode, Ink, or xterm.js); what to
 * draw (prompt, the visible line, cursor, hint, mode, completions) and what to
 * do (send lines, run a meta-command, quit) come out. It holds no protocol
 * logic of its own: the state and input mode come from the client tracker,
 * the command facts from core/protocols/ (index.ts), what is secret from
 * core/masking.ts, the meta-commands from core/client/meta-command-list.ts.
 *
 * A secret (a PASS or AUTH argument, a SASL response, /plain's password) is
 * never in the visible text, not even while it is typed.
 * Pure and browser-safe: no Node built-ins.
 */
import type { Protocol } from '../events.js';
import { MASK, secretStart } from '../masking.js';
import type { ClientInputMode } from '../client/tracker.js';
import { isMetaCommand, META_COMMANDS, metaSecretStart, type MetaCommandInfo } from '../client/meta-command-list.js';
import { mustWaitAfter, protocolData } from '../protocols/index.js';
import type { CommandSpec } from '../protocols/protocol-data.js';

/** A key, already decoded from whatever the front end reads (see core/models/terminal-keys.ts). */
export type ConsoleKey =
  | { kind: 'text'; text: string }
  | { kind: 'paste'; text: string }
  | {
      kind: 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'up' | 'down' | 'tab' | 'kill-line' | 'kill-to-start' | 'interrupt' | 'end-of-input';
    };

/** What the front end does after a key. */
export type ConsoleAction =
  /** Send these lines together, then wait for their replies (one batch; see `nextBatch`). */
  | { kind: 'send'; lines: string[] }
  /** Run a meta-command (core/client/meta-commands.ts runs it: it needs the session). */
  | { kind: 'meta'; line: string }
  /** Leave: Ctrl-D on an empty line, or Ctrl-C. */
  | { kind: 'quit'; reason: 'end-of-input' | 'interrupt' };

/** Where history lives; the TUI may keep it in a file, a page in localStorage. */
export interface HistoryStore {
  load(): readonly string[];
  add(line: string): void;
}

/** History kept in memory, bounded. */
export class MemoryHistory implements HistoryStore {
  private readonly entries: string[] = [];
  constructor(private readonly limit = 500) {}
  load(): readonly string[] {
    return this.entries;
  }
  add(line: string): void {
    this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }
}

/** What the tracker says about the session, given to the model after every reply. */
export interface ConsoleContext {
  readonly state: string;
  readonly inputMode: ClientInputMode;
}

/** Everything a renderer draws for the input line. */
export interface ConsoleView {
  /** e.g. "pop3 AUTHORIZATION> ", "smtp DATA (data)> ". */
  readonly prompt: string;
  /** The line as it may be shown: a secret part is replaced by a fixed mask. */
  readonly text: string;
  /** The cursor's column in `text`. */
  readonly cursor: number;
  readonly mode: ClientInputMode;
  /** True while what is typed from some point on is a secret. */
  readonly secret: boolean;
  /** The syntax of the command being typed, or a word on what this mode wants. */
  readonly hint?: string;
  /** After Tab with several candidates: the candidates. */
  readonly completions?: readonly string[];
}

export interface ConsoleOptions {
  protocol: Protocol;
  history?: HistoryStore;
  /** Several lines pasted at once are sent in pipelining batches (RFC 2920, RFC 2449 §6.6) rather than one by one. */
  pipelining?: boolean;
  /** The meta-commands completed and hinted (default: the raw client's, core/client/meta-command-list.ts); a classroom adds its own. */
  metaCommands?: readonly MetaCommandInfo[];
}

export class ConsoleModel {
  private line = '';
  private cursor = 0;
  private context: ConsoleContext;
  private readonly history: HistoryStore;
  /** Position while browsing history (entries.length = the line being typed). */
  private browsing: number | undefined;
  private draft = '';
  private completions: readonly string[] | undefined;
  /** Pasted lines not sent yet: they wait for the replies to the batch before them. */
  private queued: string[] = [];

  constructor(private readonly options: ConsoleOptions) {
    this.context = { state: options.protocol === 'pop3' ? 'AUTHORIZATION' : 'INIT', inputMode: 'command' };
    this.history = options.history ?? new MemoryHistory();
  }

  /** The tracker's state and input mode, after every reply. */
  setContext(context: ConsoleContext): void {
    this.context = { state: context.state, inputMode: context.inputMode };
  }

  get mode(): ClientInputMode {
    return this.context.inputMode;
  }

  /** Lines pasted and not yet sent. */
  get pending(): readonly string[] {
    return this.queued;
  }

  /** One key; returns what to do. */
  key(key: ConsoleKey): ConsoleAction[] {
    if (key.kind !== 'tab') this.completions = undefined;
    switch (key.kind) {
      case 'text':
        this.insert(key.text.replace(/[\r\n]/g, ''));
        return [];
      case 'paste':
        return this.paste(key.text);
      case 'enter':
        return this.enter();
      case 'backspace':
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
        }
        return [];
      case 'delete':
        this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
        return [];
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        return [];
      case 'right':
        this.cursor = Math.min(this.line.length, this.cursor + 1);
        return [];
      case 'home':
        this.cursor = 0;
        return [];
      case 'end':
        this.cursor = this.line.length;
        return [];
      case 'kill-line':
        this.line = this.line.slice(0, this.cursor);
        return [];
      case 'kill-to-start':
        this.line = this.line.slice(this.cursor);
        this.cursor = 0;
        return [];
      case 'up':
      case 'down':
        this.browse(key.kind === 'up' ? -1 : 1);
        return [];
      case 'tab':
        this.complete();
        return [];
      case 'interrupt':
        return [{ kind: 'quit', reason: 'interrupt' }];
      case 'end-of-input':
        return this.line === '' ? [{ kind: 'quit', reason: 'end-of-input' }] : (this.key({ kind: 'delete' }), []);
    }
  }

  /** Convenience: each character as a key. */
  type(text: string): ConsoleAction[] {
    return this.key({ kind: 'text', text });
  }

  /**
   * After the replies to a batch came (and `setContext` was called): the next
   * pasted batch, if any. Message content goes line by line, as typed.
   */
  resume(): ConsoleAction[] {
    if (this.queued.length === 0) return [];
    return this.release();
  }

  /** What to draw. */
  view(): ConsoleView {
    const hidden = this.secretFrom();
    const masked = hidden === undefined || hidden >= this.line.length ? this.line : this.line.slice(0, hidden) + MASK;
    const cursor = hidden === undefined || this.cursor <= hidden ? this.cursor : masked.length;
    const hint = this.hint();
    return {
      prompt: `${this.options.protocol} ${this.context.state}${this.context.inputMode === 'command' ? '' : ` (${this.context.inputMode})`}> `,
      text: masked,
      cursor,
      mode: this.context.inputMode,
      secret: hidden !== undefined,
      ...(hint === undefined ? {} : { hint }),
      ...(this.completions ? { completions: this.completions } : {}),
    };
  }

  /** The commands valid in the tracked state, for completion and a state panel. */
  validCommands(): CommandSpec<string>[] {
    return protocolData(this.options.protocol).commands.filter((command) => command.states.includes(this.context.state));
  }

  private insert(text: string): void {
    this.line = this.line.slice(0, this.cursor) + text + this.line.slice(this.cursor);
    this.cursor += text.length;
    this.browsing = undefined;
  }

  private enter(): ConsoleAction[] {
    const line = this.line;
    this.line = '';
    this.cursor = 0;
    this.browsing = undefined;
    return this.submit(line);
  }

  /** One complete line: content in DATA mode, a meta-command, or a protocol line. */
  private submit(line: string): ConsoleAction[] {
    if (this.context.inputMode === 'data') return [{ kind: 'send', lines: [line] }];
    this.remember(line);
    if (isMetaCommand(line)) return [{ kind: 'meta', line }];
    return [{ kind: 'send', lines: [line] }];
  }

  private paste(text: string): ConsoleAction[] {
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    const last = lines.pop() ?? '';
    // The first pasted line completes what was being typed; an unterminated last line stays in the editor.
    if (lines.length === 0) {
      this.insert(last);
      return [];
    }
    lines[0] = this.line.slice(0, this.cursor) + lines[0] + this.line.slice(this.cursor);
    this.line = last;
    this.cursor = last.length;
    this.queued.push(...lines);
    return this.release();
  }

  /** Sends what may go now: one content line, one meta-command, or a batch up to a command a client must wait after. */
  private release(): ConsoleAction[] {
    if (this.context.inputMode === 'data' || !this.options.pipelining) return this.submit(this.queued.shift()!);
    const end = nextBatch(this.options.protocol, this.queued, 0);
    if (end === 0) return this.submit(this.queued.shift()!);
    const batch = this.queued.splice(0, end);
    for (const line of batch) this.remember(line);
    return [{ kind: 'send', lines: batch }];
  }

  /** History keeps commands, never a secret: a PASS line is kept as "PASS ", content and SASL lines not at all. */
  private remember(line: string): void {
    if (line.trim() === '' || this.context.inputMode !== 'command') return;
    const hidden = isMetaCommand(line) ? metaSecretStart(line) : secretFromLine(this.options.protocol, line, 'command');
    const kept = hidden === undefined ? line : line.slice(0, hidden);
    const entries = this.history.load();
    if (entries[entries.length - 1] !== kept) this.history.add(kept);
  }

  private browse(step: -1 | 1): void {
    if (this.context.inputMode !== 'command') return;
    const entries = this.history.load();
    const from = this.browsing ?? entries.length;
    const to = Math.max(0, Math.min(entries.length, from + step));
    if (to === from) return;
    if (this.browsing === undefined) this.draft = this.line;
    this.browsing = to === entries.length ? undefined : to;
    this.line = to === entries.length ? this.draft : entries[to]!;
    this.cursor = this.line.length;
  }

  /** Tab: the command (or meta-command) names that fit, valid in this state. */
  private complete(): void {
    if (this.context.inputMode !== 'command' || /\s/.test(this.line.slice(0, this.cursor))) {
      if (this.context.inputMode === 'data') this.insert('\t');
      return;
    }
    const typed = this.line.slice(0, this.cursor);
    const candidates = typed.startsWith('/')
      ? this.metaCommands().map((command) => `/${command.name}`).filter((name) => name.startsWith(typed.toLowerCase()))
      : this.validCommands()
          .map((command) => command.name)
          .filter((name) => name.startsWith(typed.toUpperCase()));
    if (candidates.length === 0) return;
    const common = commonPrefix(candidates);
    const takesArguments = (name: string) => (name.startsWith('/') ? /\s/.test(this.findMeta(name)?.usage ?? '') : / /.test(this.facts(name)?.syntax ?? ''));
    const completed = candidates.length === 1 ? `${common}${takesArguments(common) ? ' ' : ''}` : common;
    this.line = completed + this.line.slice(this.cursor);
    this.cursor = completed.length;
    if (candidates.length > 1) this.completions = candidates;
  }

  private hint(): string | undefined {
    if (this.context.inputMode === 'data') return 'message content; a line holding only "." ends it (a line starting with "." is sent with one more: dot-stuffing is yours to do)';
    if (this.context.inputMode === 'sasl') return 'a SASL response (base64), or "*" to cancel; /b64 TEXT encodes for you';
    if (this.line.startsWith('/')) return this.findMeta(this.line)?.usage;
    const verb = /^\S+/.exec(this.line)?.[0]?.toUpperCase();
    if (verb === undefined) return undefined;
    const facts = this.facts(verb);
    if (!facts) return undefined;
    if (!facts.states.includes(this.context.state)) return `${facts.syntax} (${facts.rfc}); not valid in ${this.context.state}, only in ${facts.states.join(', ')}`;
    return `${facts.syntax} (${facts.rfc})`;
  }

  private metaCommands(): readonly MetaCommandInfo[] {
    return this.options.metaCommands ?? META_COMMANDS;
  }

  private findMeta(line: string): MetaCommandInfo | undefined {
    const name = /^\/([a-z0-9]+)/i.exec(line)?.[1]?.toLowerCase();
    return this.metaCommands().find((command) => command.name === name);
  }

  private facts(name: string): CommandSpec<string> | undefined {
    return protocolData(this.options.protocol).commands.find((command) => command.name === name);
  }

  /** Where the secret part of the line being typed starts, if it has one. */
  private secretFrom(): number | undefined {
    if (this.context.inputMode === 'data') return undefined;
    if (isMetaCommand(this.line)) return metaSecretStart(this.line);
    return secretFromLine(this.options.protocol, this.line, this.context.inputMode === 'sasl' ? 'sasl' : 'command');
  }
}

/**
 * Where a typed protocol line's secret starts, the separator after the verb
 * included in what is shown ("PASS " shows, the password does not).
 */
function secretFromLine(protocol: Protocol, line: string, role: 'command' | 'sasl'): number | undefined {
  const start = secretStart(protocol, line, role);
  if (start === undefined || role === 'sasl') return start;
  let index = start;
  while (index < line.length && /[\s\x00]/.test(line[index]!)) index++;
  return index;
}

/**
 * The end (exclusive) of the pipelining batch that starts at `start`: lines up
 * to and including the first a client must wait after, stopping before a
 * meta-command (RFC 2920 §3.1; RFC 2449 §6.6). Returns `start` when the line at
 * `start` is a meta-command (it runs on its own).
 */
export function nextBatch(protocol: Protocol, lines: readonly string[], start: number): number {
  let index = start;
  while (index < lines.length && !isMetaCommand(lines[index]!)) {
    if (mustWaitAfter(protocol, lines[index++]!)) break;
  }
  return index;
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
