/**
 * Decodes what a terminal in raw mode sends (a Node TTY, xterm.js's onData)
 * into console-model keys: printable text, Enter, the editing keys and their
 * usual escape sequences (VT100/xterm). Several lines at once are a paste.
 * Pure and browser-safe.
 */
import type { ConsoleKey } from './console.js';

const SEQUENCES: Readonly<Record<string, ConsoleKey['kind']>> = {
  '\x1b[A': 'up',
  '\x1b[B': 'down',
  '\x1b[C': 'right',
  '\x1b[D': 'left',
  '\x1bOA': 'up',
  '\x1bOB': 'down',
  '\x1bOC': 'right',
  '\x1bOD': 'left',
  '\x1b[H': 'home',
  '\x1b[F': 'end',
  '\x1bOH': 'home',
  '\x1bOF': 'end',
  '\x1b[1~': 'home',
  '\x1b[4~': 'end',
  '\x1b[3~': 'delete',
};

const CONTROLS: Readonly<Record<string, ConsoleKey['kind']>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x01': 'home',
  '\x05': 'end',
  '\x02': 'left',
  '\x06': 'right',
  '\x10': 'up',
  '\x0e': 'down',
  '\x0b': 'kill-line',
  '\x15': 'kill-to-start',
  '\x03': 'interrupt',
  '\x04': 'end-of-input',
};

/** The keys in one chunk of terminal input. */
export function decodeTerminalKeys(data: string): ConsoleKey[] {
  // Bracketed paste, or several lines arriving at once: one paste, not many Enters.
  const bracketed = /^\x1b\[200~([\s\S]*)\x1b\[201~$/.exec(data);
  if (bracketed) return [{ kind: 'paste', text: bracketed[1]! }];
  if (/[\r\n]./.test(data) && !data.includes('\x1b')) return [{ kind: 'paste', text: data.replace(/\r\n?/g, '\n') }];
  const keys: ConsoleKey[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') keys.push({ kind: 'text', text });
    text = '';
  };
  for (let index = 0; index < data.length; ) {
    const sequence = Object.keys(SEQUENCES).find((candidate) => data.startsWith(candidate, index));
    if (sequence) {
      flush();
      keys.push({ kind: SEQUENCES[sequence]! } as ConsoleKey);
      index += sequence.length;
      continue;
    }
    const char = data[index]!;
    const control = CONTROLS[char];
    if (control) {
      flush();
      keys.push({ kind: control } as ConsoleKey);
    } else if (char === '\x1b') {
      // An escape sequence we do not know: skip it whole (ESC [ parameters final-byte).
      flush();
      const unknown = /^\x1b(\[[0-9;?]*[ -\/]*[@-~]|O.|.)?/.exec(data.slice(index))![0];
      index += unknown.length;
      continue;
    } else if (char >= ' ') {
      text += char;
    }
    index++;
  }
  flush();
  return keys;
}
