/** A real terminal for end-to-end tests: a tmux session we type into and read the screen of. */
import { execFileSync } from 'node:child_process';
import { scaled } from './time.js';

let terminalsMade = 0;

/**
 * Each terminal runs on a tmux server of its own (`-L`): on the shared default
 * server, a test ending its last session stops the server while another test
 * file (or another checkout's suite) is talking to it, which fails that test
 * with "no server running".
 */
export class Terminal {
  private socket = '';

  constructor(readonly name: string) {}

  /** Runs `command` in a new detached session; "exit status N" is printed when it ends. */
  start(command: string, size = { width: 200, height: 80 }): void {
    // A server for each start, never reused: a terminal started again after kill() would otherwise reach the old
    // server while it shuts down ("server exited unexpectedly").
    this.socket = `maillab-test-${process.pid}-${++terminalsMade}`;
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(size.width), '-y', String(size.height), `${command}; echo "exit status $?"; sleep 60`);
  }

  /** The screen and its scroll-back, wrapped lines joined. */
  screen(): string {
    return this.tmux('capture-pane', '-t', this.name, '-p', '-J', '-S', '-300');
  }

  /** Only what is on screen now, one string per terminal row (no scroll-back, wrapped lines kept apart). */
  visibleRows(): string[] {
    return this.tmux('capture-pane', '-t', this.name, '-p').replace(/\n$/, '').split('\n');
  }

  /** Resizes the terminal (the program gets SIGWINCH). */
  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(width), '-y', String(height));
  }

  /** A tmux format variable of the pane, e.g. `mouse_sgr_flag` (1 while the program asked for SGR mouse reports). */
  paneFlag(name: string): string {
    return this.tmux('display-message', '-p', '-t', this.name, `#{${name}}`).trim();
  }

  /** Resolves with the screen once it matches `pattern` (read every 100 ms: tmux announces nothing); fails after `timeoutMs`, scaled by MAILLAB_TEST_TIME_FACTOR. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + scaled(timeoutMs);
    for (;;) {
      const text = this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`screen never matched ${pattern}:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Types a line and Enter, then waits for the screen to show `then`. */
  async type(line: string, then: RegExp): Promise<string> {
    this.tmux('send-keys', '-t', this.name, '-l', line);
    this.tmux('send-keys', '-t', this.name, 'Enter');
    return this.waitFor(then);
  }

  /** Types text without Enter. */
  send(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
  }

  /** Presses one key by its tmux name ("Space", "q", "+"). */
  key(name: string): void {
    this.tmux('send-keys', '-t', this.name, name);
  }

  kill(): void {
    try {
      // Its session was the server's only one: the server goes with it.
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}
