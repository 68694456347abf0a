/**
 * `maillab connect URL`: a raw POP3/SMTP client whose every line is annotated.
 * On a terminal it is interactive (line mode); otherwise it reads commands from
 * stdin, prints the annotated transcript and exits.
 */
import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { RawSession } from '../core/client/raw-session.js';
import { parseServerUrl } from '../core/client/server-url.js';
import type { WireEvent } from '../core/events.js';
import { ConnectError, type RawLine } from '../core/net/client-connection.js';
import { createTranscriptPrinter } from '../core/render/transcript.js';
import { fail, type ConnectCliOptions as ConnectOptions } from './cli.js';

export async function runConnect(url: string, options: ConnectOptions): Promise<void> {
  const parsed = parseServerUrl(url);
  if (!parsed.ok) fail(parsed.reason);
  const interactive = process.stdin.isTTY === true && !options.json;
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const printer = createTranscriptPrinter({ showBytes: options.showBytes });
  const show = (event: WireEvent) => {
    for (const text of printer.print(event)) print(text);
  };
  // Set once the interactive reader exists: the server may close while the user is typing.
  let closed: (reason: string) => void = () => {};
  const session = new RawSession({
    endpoint: { ...parsed.endpoint, insecure: options.insecure },
    replyTimeoutMs: options.timeout * 1000,
    onEvent: (event: WireEvent) => (options.json ? print(JSON.stringify(event)) : show(event)),
    onRawLine: (line: RawLine) => {
      if (!options.json) show({ kind: 'raw', from: 'server', bytes: `${line.text}${line.ending === 'crlf' ? '\r\n' : '\n'}` });
    },
    onClose: (reason) => closed(reason),
    onNotice: (text) => (options.json ? print(JSON.stringify({ kind: 'notice', text })) : show({ kind: 'notice', text })),
  });

  try {
    await session.open();
    if (options.starttls) await session.upgrade();
  } catch (error) {
    if (error instanceof ConnectError || error instanceof Error) fail(error.message);
    throw error;
  }

  const finish = async (code: number) => {
    await session.close();
    if (options.save) await saveTranscript(options.save, session);
    process.exit(code);
  };

  if (!interactive) {
    const lines = await readAllLines();
    try {
      await session.runScript(lines, options.pipeline);
      await session.settled();
    } catch (error) {
      process.stderr.write(`maillab: ${(error as Error).message}\n`);
      await finish(1);
    }
    await finish(0);
    return;
  }

  print(`   connected to ${url}${session.closed ? '' : '; type protocol lines, /help for meta-commands, Ctrl-D to leave'}`);
  const prompt = () => `${parsed.endpoint.protocol} ${session.tracker.state}${session.tracker.inputMode === 'command' ? '' : ` (${session.tracker.inputMode})`}> `;
  const reader = createInterface({ input: process.stdin, output: process.stdout, prompt: prompt() });
  reader.prompt();
  let busy = Promise.resolve();
  reader.on('line', (line) => {
    // The terminal echoed what was typed, password included; the C: line printed next replaces it, masked.
    process.stdout.write('\x1b[1A\x1b[2K');
    busy = busy.then(async () => {
      if (session.closed) return;
      const result = await session.submit(line);
      if (result?.kind === 'set') printer.options.showBytes = result.value;
      if (result?.kind === 'save') await saveTranscript(result.path, session).then(() => print(`   saved ${result.path} and ${result.path}.json`), (error: Error) => print(`   cannot save: ${error.message}`));
      try {
        if (session.tracker.inputMode !== 'data') await session.settled();
      } catch (error) {
        print(`   ${(error as Error).message}`);
      }
      if (session.closed) return;
      reader.setPrompt(prompt());
      reader.prompt();
    });
  });
  closed = (reason) => {
    void busy.then(() => {
      print(`\n   ${reason}`);
      reader.close();
    });
  };
  reader.on('close', () => void busy.then(() => finish(0)));
}

async function readAllLines(): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of reader) lines.push(line);
  return lines;
}

/** RFC-style text (C:/S: lines, secrets masked) for a lesson or a bug report, and the events as JSON lines. */
async function saveTranscript(path: string, session: RawSession): Promise<void> {
  await fs.writeFile(path, session.transcript.map((line) => `${line.from === 'client' ? 'C:' : 'S:'} ${line.text}`).join('\n') + '\n');
  await fs.writeFile(`${path}.json`, session.events.map((event) => JSON.stringify(event)).join('\n') + '\n');
}
