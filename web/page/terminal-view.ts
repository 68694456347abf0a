/**
 * The terminal: xterm.js showing transcript rows (client and server lines in
 * their colours, each with its notes) above an input line the console model
 * draws (history, Tab completion, DATA mode, secrets never echoed). Rows are
 * written as the transcript model reports them; the input line is cleared
 * and drawn again below each batch. Each row's buffer lines are remembered so
 * a click on a line selects its row for the explanation panel.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import {
  ConsoleModel,
  decodeTerminalKeys,
  renderNote,
  renderBody,
  renderRowHead,
  type ConsoleAction,
  type ConsoleView,
  type HistoryStore,
  type Protocol,
  type TranscriptRow,
  type TranscriptUpdate,
} from '../../core/browser.js';
import { noticeText } from './notice-text.js';
import { PAGE_META_COMMANDS } from './page-meta-commands.js';

const COLOURS = { client: '\x1b[36m', server: '\x1b[32m', notice: '\x1b[33m', error: '\x1b[31m', note: '\x1b[2m', data: '\x1b[35m', reset: '\x1b[0m' };

export const DARK: ITheme = { background: '#14161a', foreground: '#e6e6e6', cursor: '#f0f0f0', selectionBackground: '#3b4452' };
export const LIGHT: ITheme = {
  background: '#fbfbf8',
  foreground: '#1d1f23',
  cursor: '#1d1f23',
  selectionBackground: '#c9d7ee',
  cyan: '#005f87',
  green: '#1f6f1f',
  yellow: '#7a5200',
  red: '#a40000',
  magenta: '#7a1f7a',
};
export const PROJECTOR_DARK: ITheme = { ...DARK, background: '#000000', foreground: '#ffffff', cyan: '#5ff', green: '#5f5', yellow: '#ff5', red: '#f55', magenta: '#f5f' };
export const PROJECTOR_LIGHT: ITheme = { ...LIGHT, background: '#ffffff', foreground: '#000000', cyan: '#004466', green: '#004d00', yellow: '#5c3d00', red: '#8b0000', magenta: '#5c005c' };

/** History kept in the browser, never a secret (the console model leaves secrets out). */
export class LocalHistory implements HistoryStore {
  private readonly entries: string[];
  constructor(private readonly key: string, private readonly limit = 300) {
    try {
      this.entries = JSON.parse(localStorage.getItem(key) ?? '[]') as string[];
    } catch {
      this.entries = [];
    }
  }
  load(): readonly string[] {
    return this.entries;
  }
  add(line: string): void {
    this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    localStorage.setItem(this.key, JSON.stringify(this.entries));
  }
}

export interface TerminalViewOptions {
  host: HTMLElement;
  onAction: (action: ConsoleAction) => void;
  onView: (view: ConsoleView) => void;
  onSelectRow: (rowId: number) => void;
}

export class TerminalView {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private console: ConsoleModel;
  private protocol: Protocol = 'pop3';
  /** How many terminal lines the drawn input takes, and on which of them the cursor is. */
  private inputLines = 0;
  private cursorLine = 0;
  /** Absolute buffer line → the row drawn there (with the model it belongs to). */
  private readonly lineRows = new Map<number, number>();

  constructor(private readonly options: TerminalViewOptions) {
    this.term = new Terminal({
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
      fontSize: 15,
      scrollback: 20_000,
      convertEol: true,
      cursorBlink: true,
      theme: DARK,
      allowProposedApi: false,
      screenReaderMode: false,
    });
    this.term.loadAddon(this.fit);
    this.term.open(options.host);
    this.console = new ConsoleModel({ protocol: 'pop3', history: new LocalHistory('maillab.history.pop3'), metaCommands: PAGE_META_COMMANDS });
    this.term.write('\x1b[?2004h');
    this.term.onData((data) => this.keys(data));
    this.term.attachCustomKeyEventHandler((event) => !(event.altKey && !event.ctrlKey));
    options.host.addEventListener('click', (event) => this.click(event));
    this.fitNow();
    void this.tryWebgl();
  }

  /** WebGL where the browser has it; the DOM renderer otherwise (and after a lost context). */
  private async tryWebgl(): Promise<void> {
    try {
      const canvas = document.createElement('canvas');
      if (!canvas.getContext('webgl2')) return;
      const { WebglAddon } = await import('@xterm/addon-webgl');
      const addon = new WebglAddon();
      addon.onContextLoss(() => addon.dispose());
      this.term.loadAddon(addon);
      document.body.dataset.renderer = 'webgl';
    } catch {
      document.body.dataset.renderer = 'dom';
    }
  }

  fitNow(): void {
    try {
      this.fit.fit();
    } catch {
      // Not laid out yet.
    }
  }

  focus(): void {
    this.term.focus();
  }

  /** The console for a protocol (a new target may speak the other one); history is kept per protocol. */
  setContext(protocol: Protocol, state: string, inputMode: 'command' | 'data' | 'sasl'): void {
    if (protocol !== this.protocol) {
      this.protocol = protocol;
      this.console = new ConsoleModel({ protocol, history: new LocalHistory(`maillab.history.${protocol}`), metaCommands: PAGE_META_COMMANDS });
    }
    this.console.setContext({ state, inputMode });
    this.redrawInput();
  }

  /** Writes what the transcript model changed, then the input line again. */
  write(updates: readonly TranscriptUpdate[], base: number): void {
    const out: string[] = [];
    const rows: number[] = [];
    for (const update of updates) {
      if (update.kind === 'row') {
        for (const line of rowLines(update.row)) {
          out.push(line);
          rows.push(base + update.row.id);
        }
      } else if (update.kind === 'note') {
        const text = renderNote(update.note);
        if (text !== undefined) {
          for (const line of text.split('\n')) {
            out.push(`${COLOURS.note}${line}${COLOURS.reset}`);
            rows.push(base + update.row.id);
          }
        }
      }
    }
    if (out.length === 0) return;
    this.clearInput();
    const buffer = this.term.buffer.active;
    let line = buffer.baseY + buffer.cursorY;
    let text = '';
    out.forEach((entry, index) => {
      text += `${entry}\r\n`;
      const wraps = Math.max(1, Math.ceil(visibleLength(entry) / this.term.cols));
      for (let wrap = 0; wrap < wraps; wrap++) this.lineRows.set(line++, rows[index]!);
    });
    this.term.write(text);
    this.drawInput();
  }

  /** A note of the page's own (not from the server). */
  say(text: string): void {
    this.clearInput();
    this.term.write(`${COLOURS.notice}${noticeText(text)}${COLOURS.reset}\r\n`);
    this.drawInput();
  }

  clear(): void {
    this.term.clear();
    this.lineRows.clear();
    this.inputLines = 0;
    this.redrawInput();
  }

  setOptions(fontSize: number, theme: ITheme): void {
    this.term.options.fontSize = fontSize;
    this.term.options.theme = theme;
    this.fitNow();
  }

  private keys(data: string): void {
    for (const key of decodeTerminalKeys(data)) {
      if (key.kind === 'interrupt' || key.kind === 'end-of-input') {
        // No leaving a web page by Ctrl-C: it empties the line instead.
        this.console.key({ kind: 'home' });
        this.console.key({ kind: 'kill-line' });
        continue;
      }
      for (const action of this.console.key(key)) this.options.onAction(action);
    }
    this.redrawInput();
  }

  /** After the replies to a batch: pasted lines still waiting go out. */
  resume(): void {
    for (const action of this.console.resume()) this.options.onAction(action);
  }

  private redrawInput(): void {
    this.clearInput();
    this.drawInput();
  }

  private clearInput(): void {
    if (this.inputLines === 0) return;
    this.term.write(`\r${this.cursorLine > 0 ? `\x1b[${this.cursorLine}A` : ''}\x1b[J`);
    this.inputLines = 0;
    this.cursorLine = 0;
  }

  private drawInput(): void {
    const view = this.console.view();
    this.options.onView(view);
    const colour = view.mode === 'data' ? COLOURS.data : view.mode === 'sasl' ? COLOURS.notice : COLOURS.client;
    const cols = this.term.cols;
    const whole = view.prompt.length + view.text.length;
    const cursorAt = view.prompt.length + view.cursor;
    this.term.write(`${colour}${view.prompt}${COLOURS.reset}${view.text}`);
    this.inputLines = Math.floor(whole / cols) + 1;
    const endLine = Math.floor(whole / cols);
    const cursorLine = Math.floor(cursorAt / cols);
    // Put the cursor where the model says (a line exactly filling the width leaves it past the edge).
    let move = '';
    if (endLine > cursorLine) move += `\x1b[${endLine - cursorLine}A`;
    move += `\r${cursorAt % cols > 0 ? `\x1b[${cursorAt % cols}C` : ''}`;
    if (whole % cols === 0 && whole > 0 && endLine === cursorLine) move = `\r\n`;
    this.term.write(move);
    this.cursorLine = cursorLine;
  }

  private click(event: MouseEvent): void {
    const screen = this.options.host.querySelector('.xterm-screen');
    if (!screen) return;
    const box = screen.getBoundingClientRect();
    const line = Math.floor(((event.clientY - box.top) / box.height) * this.term.rows) + this.term.buffer.active.viewportY;
    const row = this.lineRows.get(line);
    if (row !== undefined) this.options.onSelectRow(row);
  }
}

/** A row as terminal lines: its own line(s) in the party's colour; a body's lines folded after 24 (the download has them all). */
function rowLines(row: TranscriptRow): string[] {
  // The core's renderer has escaped every control byte already (core/escape-text.ts).
  const head = row.kind === 'body' ? renderBody(row.body, { foldAfter: BODY_LINES_SHOWN }) : renderRowHead(row);
  const colour =
    row.kind === 'line' ? (row.from === 'client' ? COLOURS.client : COLOURS.server) : row.kind === 'notice' ? COLOURS.notice : row.kind === 'error' ? COLOURS.error : COLOURS.note;
  // Notes come as their own updates, in the order the transcript model gives them.
  return head.flatMap((text) => text.split('\n')).map((text) => `${colour}${text}${COLOURS.reset}`);
}

/** Body lines on screen before the rest is folded into a "… more lines" note. */
const BODY_LINES_SHOWN = 24;

function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}
