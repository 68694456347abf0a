/**
 * `maillab connect URL`: a raw POP3/SMTP client whose every line is annotated.
 * On a terminal it is interactive (the console model, core/models/console.ts:
 * history, Tab completion, secrets hidden while typed); otherwise it reads commands from
 * stdin, prints the annotated transcript and exits.
 */
import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { ConsoleModel, type ConsoleAction, type ConsoleKey } from '../core/models/console.js';
import { decodeTerminalKeys } from '../core/models/terminal-keys.js';
import { RawSession, ReplyTimeout } from '../core/net/raw-session.js';
import { parseServerUrl } from '../core/net/server-url.js';
import type { RawLine, WireEvent } from '../core/events.js';
import { ConnectError } from '../core/net/client-connection.js';
import { createTranscriptPrinter, type TranscriptPrinter } from '../core/render/transcript.js';
import type { ConnectCliOptions as ConnectOptions } from './cli-options.js';
import { fail } from './fail.js';
import { EXIT_CODES, exitMeaning, failedStage } from '../core/models/exit-status.js';
import type { TlsClientSettings } from '../core/net/tls-verification.js';

export async function runConnect(url: string, options: ConnectOptions): Promise<void> {
  const parsed = parseServerUrl(url);
  if (!parsed.ok) fail(parsed.reason);
  const interactive = process.stdin.isTTY === true && !options.json;
  const print = (text: string) => terminalOutput(text);
  // --json: each event with the time it happened; the last one holds the exit status.
  const printJson = (event: object) => print(JSON.stringify({ at: new Date().toISOString(), ...event }));
  exitJson = options.json ? (code) => printJson({ kind: 'exit', status: code, meaning: exitMeaning(code) }) : () => {};
  // On a terminal a long body is folded (/more, /show N) and what the learner typed in DATA stays as typed; a script gets every line.
  const printer = createTranscriptPrinter({
    showBytes: options.showBytes,
    annotations: options.annotations,
    ...(interactive ? { foldAfter: Math.max(10, (process.stdout.rows ?? 30) - 10), typedClientBodies: true } : {}),
  });
  const show = (event: WireEvent) => {
    for (const text of printer.print(event)) print(text);
  };
  const session = new RawSession({
    endpoint: { ...parsed.endpoint, insecure: options.insecure, tls: tlsSettings(options) },
    replyTimeoutMs: options.timeout * 1000,
    forceAuth: options.forceAuth,
    onEvent: (event: WireEvent) => {
      // The model follows every session (the exit status reads it), --json or not.
      const lines = printer.print(event);
      if (options.json) printJson(event);
      else for (const text of lines) print(text);
    },
    onRawLine: (line: RawLine) => {
      if (!options.json) show({ kind: 'raw', from: 'server', bytes: `${line.text}${line.ending === 'crlf' ? '\r\n' : '\n'}` });
    },
    onClose: (reason) => closed(reason),
    onNotice: (text) => (options.json ? printJson({ kind: 'notice', text }) : show({ kind: 'notice', text })),
  });
  if (!options.json && options.insecure) show({ kind: 'notice', text: 'warning: --insecure: a certificate that does not verify is accepted; anyone on the path could be answering (the connection is marked UNVERIFIED)', level: 'warning' });

  try {
    await session.open();
    if (session.wrongProtocol === undefined && options.starttls) await session.upgrade();
  } catch (error) {
    if (error instanceof ConnectError || error instanceof Error) {
      process.stderr.write(`maillab: ${error.message}\n`);
      const code = session.tlsError !== undefined ? EXIT_CODES.TLS : exitCodeOfOpening(error.message, options.starttls);
      exitJson(code);
      process.exit(code);
    }
    throw error;
  }
  if (session.wrongProtocol !== undefined) {
    process.stderr.write(`maillab: ${session.wrongProtocol}\n`);
    exitJson(EXIT_CODES.GREETING);
    process.exit(EXIT_CODES.GREETING);
  }

  const finish = async (code: number) => {
    await session.close();
    if (options.save) await saveTranscript(options.save, session);
    exitJson(code);
    process.exit(code);
  };

  if (!interactive) {
    const lines = await readAllLines();
    try {
      await session.runScript(lines, options.pipeline);
      await session.settled();
    } catch (error) {
      process.stderr.write(`maillab: ${(error as Error).message}\n`);
      await finish(error instanceof ReplyTimeout ? EXIT_CODES.TIMEOUT : EXIT_CODES.USAGE);
    }
    await finish(sessionExitCode(session, printer));
    return;
  }

  await typeInteractively(url, session, printer, options.pipeline, finish);
}

/** The exit status of a session that opened (script or terminal): dropped, TLS failed, or the first refused stage; 0 otherwise. */
function sessionExitCode(session: RawSession, printer: TranscriptPrinter): number {
  if (session.wrongProtocol !== undefined) return EXIT_CODES.GREETING;
  if (session.tlsError !== undefined) return EXIT_CODES.TLS;
  const failed = failedStage(printer.model.rows);
  if (failed) return EXIT_CODES[failed];
  if (session.dropped) {
    process.stderr.write(`maillab: the server closed the connection${session.unanswered !== undefined ? ` without answering ${session.unanswered}` : ''} before the session ended\n`);
    return EXIT_CODES.DROPPED;
  }
  if (session.credentialsHeldBack !== undefined) return EXIT_CODES.AUTH;
  // The server ended the session (a 221 nobody asked for) while the script had more to say.
  if (session.scriptCutShort) return EXIT_CODES.DROPPED;
  return EXIT_CODES.OK;
}

/** Connecting failed: could not reach it, TLS failed, STARTTLS refused, or no greeting in time. */
function exitCodeOfOpening(message: string, starttls: boolean): number {
  if (/^no complete reply/.test(message)) return EXIT_CODES.GREETING;
  if (/^TLS with|refused (STARTTLS|STLS)/.test(message) || (starttls && /TLS/.test(message))) return EXIT_CODES.TLS;
  return EXIT_CODES.CONNECT;
}

/**
 * The terminal in raw mode, keys fed to the console model: the model says what
 * to draw (a secret is never drawn, not even while typed) and what to do.
 * Input that arrives while a reply is awaited waits its turn.
 */
async function typeInteractively(url: string, session: RawSession, printer: TranscriptPrinter, pipelining: boolean, finish: (code: number) => Promise<void>): Promise<void> {
  const model = new ConsoleModel({ protocol: session.tracker.protocol, pipelining });
  const sync = () => model.setContext({ state: session.tracker.state, inputMode: session.tracker.inputMode });
  let promptShown = false;
  const clearPrompt = () => {
    if (promptShown) process.stdout.write('\r\x1b[2K');
    promptShown = false;
  };
  const redraw = () => {
    if (session.closed) return;
    const view = model.view();
    const back = view.text.length - view.cursor;
    // An unverified TLS connection says so on every prompt (RFC 8314 §4.1: anyone on the path could be answering).
    const mark = session.tls && !session.verified ? '[TLS UNVERIFIED] ' : '';
    process.stdout.write(`\r\x1b[2K${mark}${view.prompt}${view.text}${back > 0 ? `\x1b[${back}D` : ''}`);
    promptShown = true;
  };
  // Everything printed while the prompt is up goes above it.
  terminalOutput = (text) => {
    clearPrompt();
    process.stdout.write(`${text}\n`);
  };
  // The same status as in script mode (a refused login, a refused command, a drop), said on screen too.
  // Once: Ctrl-C and the server's close may both ask to leave; the first one's status stands.
  let leaving = false;
  const leave = async (code: number) => {
    if (leaving) return;
    leaving = true;
    clearPrompt();
    if (code !== EXIT_CODES.OK && code !== EXIT_CODES.INTERRUPTED) terminalOutput(`   exit status ${code}: ${exitMeaning(code)}`);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    await finish(code);
  };

  const act = async (action: ConsoleAction): Promise<void> => {
    if (action.kind === 'quit') return leave(action.reason === 'interrupt' ? EXIT_CODES.INTERRUPTED : sessionExitCode(session, printer));
    const result = action.kind === 'meta' ? await session.submit(action.line) : await session.submitBatch(action.lines);
    if (result?.kind === 'set' && result.setting === 'show-bytes') printer.options.showBytes = result.value;
    if (result?.kind === 'set' && result.setting === 'annotations') {
      printer.model.setAnnotations(result.value);
      terminalOutput(`   annotations ${result.value}`);
    }
    if (result?.kind === 'body') for (const line of result.number === undefined ? printer.more() : printer.show(result.number)) terminalOutput(line);
    if (result?.kind === 'save') await saveTranscript(result.path, session).then(() => terminalOutput(`   saved ${result.path} and ${result.path}.json`), (error: Error) => terminalOutput(`   cannot save: ${error.message}`));
    try {
      if (session.tracker.inputMode !== 'data') await session.settled();
    } catch (error) {
      terminalOutput(`   ${(error as Error).message}`);
    }
    sync();
    for (const next of model.resume()) await act(next);
  };

  const handle = async (key: ConsoleKey): Promise<void> => {
    const before = model.view();
    const actions = model.key(key);
    if (actions.length > 0) {
      // Message content stays on screen as typed; a command line is replaced by its C: line (masked).
      if (before.mode === 'data' && key.kind === 'enter') {
        process.stdout.write(`\r\x1b[2K${before.prompt}${before.text}\n`);
        promptShown = false;
      } else clearPrompt();
      for (const action of actions) await act(action);
    }
    const completions = model.view().completions;
    if (key.kind === 'tab' && completions) terminalOutput(`   ${completions.join('  ')}`);
    redraw();
  };

  const input: string[] = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (input.length > 0 && !session.closed) for (const key of decodeTerminalKeys(input.shift()!)) await handle(key);
    busy = false;
  };
  closed = (reason) => {
    void (async () => {
      while (busy) await new Promise((resolve) => setTimeout(resolve, 10));
      // A failed TLS handshake was said on its own line already.
      if (session.tlsError === undefined) terminalOutput(`   ${reason}`);
      await leave(sessionExitCode(session, printer));
    })();
  };

  terminalOutput(`   connected to ${url}${session.closed ? '' : '; type protocol lines, /help for meta-commands, Tab to complete, Ctrl-D to leave'}`);
  sync();
  redraw();
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    // Ctrl-C leaves at once, whatever is awaited (a reply, a TLS handshake): it never waits its turn behind them.
    if (chunk.includes('\x03')) {
      input.length = 0;
      void leave(EXIT_CODES.INTERRUPTED);
      return;
    }
    input.push(chunk);
    void pump();
  });
}

/** --json: prints the final event, holding the exit status (a no-op otherwise). */
let exitJson: (code: number) => void = () => {};

/** --ca-file, --servername, --tls-min as the connection takes them. */
function tlsSettings(options: ConnectOptions): TlsClientSettings {
  return {
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.tlsMin !== undefined ? { minVersion: options.tlsMin } : {}),
  };
}

/** Where connect's output goes: plain lines, or above the prompt once the console is up. */
let terminalOutput = (text: string): void => void process.stdout.write(`${text}\n`);
/** Set once the console is up: the server may close while the user is typing. */
let closed: (reason: string) => void = () => {};

async function readAllLines(): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of reader) lines.push(line);
  return lines;
}

/** RFC-style text (C:/S: lines, secrets masked) for a lesson or a bug report, and the events as JSON lines. */
async function saveTranscript(path: string, session: RawSession): Promise<void> {
  const prefix = { client: 'C:', server: 'S:', note: '--' } as const;
  await fs.writeFile(path, session.transcript.map((line) => `${prefix[line.from]} ${line.text}`).join('\n') + '\n');
  await fs.writeFile(`${path}.json`, session.events.map((event) => JSON.stringify(event)).join('\n') + '\n');
}
