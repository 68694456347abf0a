/**
 * What the TUI's components read and what its keys do: the classroom session
 * (core/classroom), the transcript model its events fold into, the console
 * model that edits the input line, and the view state (selection, folded
 * bodies, welcome). Components subscribe and redraw; a burst of events makes
 * one redraw. Protocol facts, masking and wording all come from the core.
 */
import { writeFile } from 'node:fs/promises';
import {
  ConsoleModel,
  MemoryHistory,
  renderRows,
  TranscriptModel,
  type AnnotationsLevel,
  type ConsoleKey,
  type EventEnvelope,
  type HistoryStore,
  type TransitionEvent,
} from '../core/browser.js';
import { ALL_CLASSROOM_META_COMMANDS, parseClassroomCommand } from '../core/classroom/classroom-commands.js';
import { ClassroomSession, type ClassroomTarget } from '../core/classroom/classroom-session.js';
import type { Sandbox } from '../core/sandbox/sandbox.js';
import { moveSelection } from './helpers/transcript-lines.js';
import { decodeTuiKeys, type UiKey } from './helpers/ui-keys.js';
import type { WatchState } from './components/StatusBar.js';
import { tuiText } from './messages.js';

export interface ControllerOptions {
  sandbox: Sandbox;
  history?: HistoryStore;
  firstRun?: boolean;
  lessonsDir?: string;
  replyTimeoutMs?: number;
  /** Watch mode: milliseconds between steps. */
  watchDelayMs?: number;
  /** Called once to leave, with the exit status. */
  onExit: (code: number) => void;
}

/** How long a first Ctrl-C waits for the second. */
const INTERRUPT_WINDOW_MS = 2000;
/** Watch mode: + and - halve or double the time between steps, within these bounds (as `maillab lesson play`). */
const FASTEST_WATCH_MS = 100;
const SLOWEST_WATCH_MS = 16_000;

export class ClassroomController {
  model = new TranscriptModel();
  console: ConsoleModel;
  session: ClassroomSession | undefined;
  /** Every envelope of every session, for /save. */
  readonly envelopes: EventEnvelope[] = [];
  /** Rows that echo a meta-command typed here (never on the wire). */
  readonly localRows = new Set<number>();
  /** Body rows folded or unfolded by the learner (Ctrl-O), against the default of core-size folding. */
  readonly toggled = new Set<number>();
  selected: number | undefined;
  lastTransition: TransitionEvent | undefined;
  welcome: boolean;
  /** A one-line message under the input (Ctrl-C once, a failed /connect). */
  flash: string | undefined;
  /** Message lines typed in DATA mode, shown until the server takes the message (the engine reports the body at the end). */
  dataLines: string[] = [];
  /** Rows hidden by /clear (they stay in the model for /save). */
  clearedBefore = 0;
  busy = false;
  /** A lesson played by the clock: paused or not, and the time between steps (space, + and - on an empty line). */
  watch: WatchState | undefined;
  private version = 0;
  private listeners = new Set<() => void>();
  private scheduled = false;
  private input: string[] = [];
  private interruptAt = 0;
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly history: HistoryStore;
  private exited = false;

  constructor(private readonly options: ControllerOptions) {
    this.history = options.history ?? new MemoryHistory();
    this.welcome = options.firstRun === true;
    this.console = this.newConsole('pop3');
  }

  get snapshot(): number {
    return this.version;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Opens a target (closing the current session); a failure is said under the input and the old session is kept. */
  async open(target: ClassroomTarget): Promise<boolean> {
    this.stopWatch();
    // Whatever the old session still owed will not come: its rows are final.
    this.model.end();
    let next: ClassroomSession;
    try {
      next = await ClassroomSession.open(target, {
        sandbox: this.options.sandbox,
        onEnvelope: (envelope) => this.onEnvelope(envelope),
        // Step mode as the CLI player plays it: the client's lines, then on the next key the server's reply.
        stepInHalves: true,
        ...(this.options.lessonsDir ? { lessonsDir: this.options.lessonsDir } : {}),
        ...(this.options.replyTimeoutMs ? { replyTimeoutMs: this.options.replyTimeoutMs } : {}),
      });
    } catch (error) {
      this.flash = (error as Error).message;
      // The old session goes on, a watched lesson with it.
      this.scheduleWatch();
      this.changed();
      return false;
    }
    const previous = this.session;
    this.session = next;
    if (previous) await previous.close();
    this.lastTransition = undefined;
    this.dataLines = [];
    this.console = this.newConsole(next.protocol);
    this.sync();
    this.watch = target.kind === 'lesson' && target.mode === 'watch' ? { paused: false, delayMs: this.options.watchDelayMs ?? 1500 } : undefined;
    if (this.watch) this.scheduleWatch();
    this.changed();
    return true;
  }

  /**
   * Terminal input, as Ink hands it over; handled in order, one batch's
   * replies before the next key. Ctrl-C jumps the queue: it works at once
   * whatever is awaited (a reply, a TLS handshake, a slow server).
   */
  feed(chunk: string): void {
    if (chunk.includes('\x03')) {
      this.interrupt();
      this.changed();
      const rest = chunk.replace(/\x03/g, '');
      if (rest === '') return;
      chunk = rest;
    }
    this.input.push(chunk);
    void this.pump();
  }

  /** What the keys do now, for the key hints: type, step through a lesson, or watch one. */
  get keyMode(): 'console' | 'step' | 'watch' {
    const target = this.session?.target;
    if (target?.kind !== 'lesson' || target.mode === 'practice') return 'console';
    return target.mode;
  }

  async close(): Promise<void> {
    this.stopWatch();
    await this.session?.close();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.input.length > 0 && !this.exited) {
        for (const key of decodeTuiKeys(this.input.shift()!)) {
          if ('ui' in key) this.ui(key.ui);
          else await this.key(key.console);
          this.changed();
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private ui(key: UiKey): void {
    const rows = this.model.rows;
    if (key.kind === 'select') this.selected = moveSelection(rows, this.selected, key.step);
    else if (key.kind === 'select-latest') this.selected = undefined;
    else if (key.kind === 'toggle-body') {
      const target = this.selected ?? lastBodyRow(rows);
      if (target === undefined || rows[target]?.kind !== 'body') return;
      if (this.toggled.has(target)) this.toggled.delete(target);
      else this.toggled.add(target);
    }
  }

  private async key(key: ConsoleKey): Promise<void> {
    const session = this.session;
    if (key.kind === 'interrupt') return this.interrupt();
    this.flash = undefined;
    if (key.kind === 'text' && this.watchKey(key.text)) return;
    // Lessons played by the clock or by key: Enter on an empty line plays the next step.
    if (key.kind === 'enter' && session?.target.kind === 'lesson' && session.target.mode !== 'practice' && this.console.view().text === '') {
      await session.next();
      this.sync();
      return;
    }
    const before = this.console.view();
    const actions = this.console.key(key);
    for (const action of actions) {
      if (action.kind === 'quit') return this.exit(action.reason === 'interrupt' ? 130 : 0);
      this.welcome = false;
      if (action.kind === 'meta') await this.meta(action.line);
      else await this.send(action.lines, before.mode === 'data');
    }
  }

  /** Watch mode, on an empty input line: space pauses or goes on, + and - speed up or slow down. */
  private watchKey(text: string): boolean {
    const watch = this.watch;
    if (!watch || this.console.view().text !== '') return false;
    if (text === ' ') {
      watch.paused = !watch.paused;
      if (watch.paused) this.stopWatch();
      else this.scheduleWatch();
    } else if (text === '+' || text === '=') watch.delayMs = Math.max(FASTEST_WATCH_MS, watch.delayMs / 2);
    else if (text === '-') watch.delayMs = Math.min(SLOWEST_WATCH_MS, watch.delayMs * 2);
    else return false;
    return true;
  }

  private async send(lines: readonly string[], content: boolean): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (content) this.dataLines.push(...lines);
    await session.submit(lines);
    this.sync();
    for (const next of this.console.resume()) {
      if (next.kind === 'send') await this.send(next.lines, this.console.mode === 'data');
      else if (next.kind === 'meta') await this.meta(next.line);
    }
  }

  private async meta(line: string): Promise<void> {
    this.echoLocal(line);
    const command = parseClassroomCommand(line, this.options.lessonsDir);
    switch (command.kind) {
      case 'open':
        await this.open(command.target);
        return;
      case 'save':
        await this.save(command.path);
        return;
      case 'clear':
        this.clearedBefore = this.model.rows.length;
        this.selected = undefined;
        return;
      case 'annotations':
        this.model.setAnnotations(command.level as AnnotationsLevel);
        this.note(tuiText('annotations', { level: command.level }));
        return;
      case 'quit':
        return this.exit(0);
      case 'error':
        this.note(command.message, true);
        return;
      case 'session':
        await this.session?.meta(command.line);
        this.sync();
    }
  }

  private async save(path: string): Promise<void> {
    try {
      await writeFile(path, `${renderRows(this.model.rows).join('\n')}\n`);
      await writeFile(`${path}.json`, this.envelopes.map((envelope) => JSON.stringify(envelope)).join('\n') + '\n');
      this.note(tuiText('saved', { path }));
    } catch (error) {
      this.note(tuiText('cannotSave', { reason: (error as Error).message }), true);
    }
  }

  private interrupt(): void {
    const now = Date.now();
    if (now - this.interruptAt < INTERRUPT_WINDOW_MS) return this.exit(130);
    this.interruptAt = now;
    this.flash = tuiText('interruptAgain');
  }

  private exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.options.onExit(code);
  }

  /** A meta-command as typed, in the transcript, marked as local (the console masked its secret in the view). */
  private echoLocal(line: string): void {
    this.model.apply({ kind: 'notice', text: `${maskedMeta(line)}   ${tuiText('metaMarker')}` });
    this.localRows.add(this.model.rows.length - 1);
  }

  private note(text: string, warning = false): void {
    this.model.apply({ kind: 'notice', text, ...(warning ? { level: 'warning' as const } : {}) });
  }

  /** Every session's events go on the one transcript (a session being replaced may still say goodbye). */
  private onEnvelope(envelope: EventEnvelope): void {
    this.envelopes.push(envelope);
    if (this.envelopes.length > 20_000) this.envelopes.splice(0, 10_000);
    const event = envelope.event;
    if (event.kind === 'transition') this.lastTransition = event;
    if (event.kind === 'body' && event.from === 'client') this.dataLines = [];
    this.model.apply(envelope);
    this.changed();
  }

  private sync(): void {
    const session = this.session;
    if (!session) return;
    this.console.setContext({ state: session.state, inputMode: session.inputMode });
    if (session.inputMode !== 'data') this.dataLines = [];
  }

  private newConsole(protocol: 'pop3' | 'smtp'): ConsoleModel {
    return new ConsoleModel({ protocol, history: this.history, metaCommands: ALL_CLASSROOM_META_COMMANDS });
  }

  private scheduleWatch(): void {
    this.stopWatch();
    const watch = this.watch;
    if (!watch || watch.paused) return;
    this.watchTimer = setTimeout(async () => {
      this.watchTimer = undefined;
      const session = this.session;
      if (!session || this.watch !== watch || watch.paused) return;
      if (await session.next()) this.scheduleWatch();
      this.sync();
      this.changed();
    }, watch.delayMs);
  }

  private stopWatch(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** One redraw per burst of changes. */
  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.version++;
      for (const listener of this.listeners) listener();
    });
  }
}

function lastBodyRow(rows: readonly { kind: string }[]): number | undefined {
  for (let index = rows.length - 1, seen = 0; index >= 0 && seen < 500; index--, seen++) if (rows[index]!.kind === 'body') return index;
  return undefined;
}

/** A meta-command line with its secret argument hidden, as the console shows it while typed. */
function maskedMeta(line: string): string {
  const probe = new ConsoleModel({ protocol: 'pop3', metaCommands: ALL_CLASSROOM_META_COMMANDS });
  probe.type(line);
  return probe.view().text;
}
