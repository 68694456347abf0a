/**
 * `maillab send`: composes a message (MIME by nodemailer's MailComposer) and
 * sends it with maillab's own SMTP client — to one server (`--server`, like a
 * mail program submitting) or straight to each recipient domain's MX hosts
 * (`--direct`, like an MTA). Prints one result line per recipient; with
 * `--transcript`, the whole annotated SMTP exchange first.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { SmtpTracker } from '../core/client/smtp-tracker.js';
import { parseServerUrl } from '../core/net/server-url.js';
import { renderEvent } from '../core/render/transcript.js';
import { composeMessage, isKnownCharset } from '../core/send/compose.js';
import { deliverDirect } from '../core/send/direct-delivery.js';
import { isDnsServerSpec, nodeDns } from '../core/send/mx.js';
import { sendOverSmtp, type SmtpObserver } from '../core/send/smtp-client.js';
import type { RecipientResult } from '../core/send/smtp-dialogue.js';
import { transcriptObserver } from '../core/send/transcript-observer.js';
import type { SendCliOptions } from './cli-options.js';
import { fail } from './fail.js';
import { EXIT_CODES, exitMeaning, sendStageExit } from '../core/models/exit-status.js';
import type { TlsClientSettings } from '../core/net/tls-verification.js';

export async function runSend(options: SendCliOptions): Promise<void> {
  const to = options.to ?? [];
  const cc = options.cc ?? [];
  check(options, to);
  const message = await buildMessage(options, to, cc);
  const recipients = [...new Set([...to, ...cc])];
  const observerFor = transcriptObservers(options.json ? 'json' : options.transcript ? 'text' : 'off');
  const heloName = options.helo ?? defaultHeloName();
  const timeoutMs = options.timeout * 1000;

  let results: RecipientResult[];
  if (options.server !== undefined) {
    const parsed = parseServerUrl(options.server);
    if (!parsed.ok) fail(parsed.reason);
    if (parsed.endpoint.protocol !== 'smtp') fail(`--server needs an smtp:// or smtps:// URL, not "${options.server}"`);
    if (parsed.endpoint.implicitTls && options.starttls) fail('--starttls does not go with smtps:// (that is TLS from the first byte already)');
    const observer = withWarnings(observerFor());
    if (options.insecure && options.auth !== undefined) process.stderr.write('maillab: warning: --insecure: the password may go over a connection whose certificate did not verify, or without TLS; you will be told before it is sent\n');
    results = await sendOverSmtp({
      host: parsed.endpoint.host,
      port: parsed.endpoint.port,
      implicitTls: parsed.endpoint.implicitTls,
      // STARTTLS whenever the server offers it (RFC 3207, RFC 8314 §3); --starttls makes it a requirement, and so does
      // a password: it goes only over TLS that verified (RFC 8314 §4.1), unless --insecure.
      startTls: options.starttls || (options.auth !== undefined && !options.insecure) ? 'required' : 'opportunistic',
      insecure: options.insecure,
      tls: tlsSettings(options),
      probeSilence: true,
      heloName,
      from: options.from!,
      recipients,
      message,
      connectTimeoutMs: timeoutMs,
      replyTimeoutMs: timeoutMs,
      ...(options.auth !== undefined ? { auth: splitCredentials(options.auth) } : {}),
      ...(observer ? { observer } : {}),
    });
  } else {
    results = await deliverDirect({
      from: options.from!,
      recipients,
      message,
      heloName,
      dns: nodeDns(options.dns !== undefined ? { server: options.dns } : {}),
      port: options.mxPort ?? 25,
      startTls: options.starttls ? 'required' : 'opportunistic',
      insecure: options.insecure,
      tls: (({ servername: _name, ...rest }) => rest)(tlsSettings(options)),
      connectTimeoutMs: timeoutMs,
      replyTimeoutMs: timeoutMs,
      observe: () => observerFor(),
    });
  }
  report(results, options.json);
}

/** Says on stderr, at once, what the client must say before its next line goes out (credentials over an unverified connection). */
function withWarnings(observer: SmtpObserver | undefined): SmtpObserver {
  return {
    ...observer,
    warning(text) {
      process.stderr.write(`maillab: warning: ${text}\n`);
      observer?.warning?.(text);
    },
  };
}

/** --ca-file, --servername, --tls-min as the client takes them. */
function tlsSettings(options: SendCliOptions): TlsClientSettings {
  return {
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.tlsMin !== undefined ? { minVersion: options.tlsMin } : {}),
  };
}

/** The flag combinations that cannot work, each as one clear line. */
function check(options: SendCliOptions, to: string[]): void {
  if (to.length === 0) fail('no recipient: give at least one --to ADDRESS');
  if (options.from === undefined) fail('no sender: give --from ADDRESS');
  for (const address of [options.from, ...to, ...(options.cc ?? [])]) {
    if (!/^[^\s<>@]+@[^\s<>@]+$/.test(address)) fail(`"${address}" is not an address like user@example.test`);
  }
  if (options.server !== undefined && options.direct) fail('give either --server URL or --direct, not both');
  if (options.server === undefined && !options.direct) fail('say where to send: --server smtp://host:port (a mail server) or --direct (each domain\'s MX hosts)');
  if (options.body !== undefined && options.bodyFile !== undefined) fail('give either --body TEXT or --body-file FILE, not both');
  if (options.direct && options.auth !== undefined) fail('--auth needs --server: direct delivery to MX hosts does not log in');
  if (!options.direct && options.dns !== undefined) fail('--dns applies to --direct only');
  if (!options.direct && options.mxPort !== undefined) fail('--mx-port applies to --direct only');
  if (options.direct && options.servername !== undefined) fail('--servername applies to --server only: with --direct each MX host is checked by its own name');
  if (options.dns !== undefined && !isDnsServerSpec(options.dns)) fail(`--dns "${options.dns}" is not an address like 127.0.0.1:5353`);
  if (options.auth !== undefined && !options.auth.includes(':')) fail('--auth expects user:password');
  for (const name of [options.charset, options.subjectCharset ?? options.charset]) if (!isKnownCharset(name)) fail(`unknown charset "${name}" (try utf-8, iso-8859-1, gb2312, gbk, shift_jis, koi8-r)`);
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    fail(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Text files are read as UTF-8 (the body's --charset is what goes on the wire). */
async function readText(path: string, what: string): Promise<string> {
  const bytes = await readInput(path, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(`${what} ${path} is not UTF-8 text (write it in UTF-8; --charset says what goes on the wire)`);
  }
}

async function buildMessage(options: SendCliOptions, to: string[], cc: string[]): Promise<Buffer> {
  const text = options.bodyFile !== undefined ? await readText(options.bodyFile, 'body file') : (options.body ?? '');
  const html = options.html !== undefined ? await readText(options.html, 'HTML file') : undefined;
  const attachments = [];
  for (const path of options.attach ?? []) attachments.push({ filename: basename(path), content: await readInput(path, 'attachment') });
  try {
    return await composeMessage({
      from: options.from!,
      to,
      cc,
      text,
      charset: options.charset,
      ...(options.subjectCharset !== undefined ? { subjectCharset: options.subjectCharset } : {}),
      attachments,
      ...(options.subject !== undefined ? { subject: options.subject } : {}),
      ...(html !== undefined ? { html } : {}),
    });
  } catch (error) {
    fail(`cannot build the message: ${(error as Error).message}`);
  }
}

function splitCredentials(text: string): { user: string; password: string } {
  const colon = text.indexOf(':');
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The machine's name if it is a usable EHLO domain, else "localhost". */
function defaultHeloName(): string {
  const name = hostname();
  return /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(name) ? name : 'localhost';
}

/** --json: one event per line, each with the time it happened. */
const printJson = (event: object) => process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...event })}\n`);

/** A factory of per-connection observers printing the annotated exchange (text or --json), or of nothing. */
function transcriptObservers(mode: 'text' | 'json' | 'off'): () => SmtpObserver | undefined {
  if (mode === 'off') return () => undefined;
  const print = (text: string) => process.stdout.write(`${text}\n`);
  return () =>
    transcriptObserver({
      tracker: new SmtpTracker(),
      onEvent: (event) => {
        if (mode === 'json') return printJson(event);
        const text = renderEvent(event);
        if (text !== undefined) print(text);
      },
      onNote: (text) => (mode === 'json' ? printJson({ kind: 'notice', text }) : print(`-- ${text}`)),
    });
}

function describe(result: RecipientResult): string {
  const verdict = result.ok ? 'accepted' : result.temporary ? 'deferred' : 'rejected';
  const reply = [result.code === 0 ? '' : String(result.code), result.enhanced ?? '', result.text].filter(Boolean).join(' ');
  return `${result.address}: ${verdict} by ${result.host}: ${reply}`;
}

/**
 * One line per recipient on stdout; exit 0 only when every recipient was
 * accepted, else the status of the stage where the first one failed
 * (core/models/exit-status.ts, swaks' numbers).
 */
function report(results: RecipientResult[], json: boolean): void {
  const failed = results.filter((result) => !result.ok);
  const first = failed[0];
  const code = first ? EXIT_CODES[sendStageExit(first.stage, first.lost)] : EXIT_CODES.OK;
  if (json) {
    for (const result of results) printJson({ kind: 'result', ...result });
    printJson({ kind: 'exit', status: code, meaning: exitMeaning(code) });
    process.exit(code);
  }
  // Nothing was said by any server (no connection, DNS failure, TLS refused): one error line.
  if (first && failed.length === results.length && results.every((result) => result.code === 0 && result.text === first.text)) {
    process.stderr.write(`maillab: ${first.text}\n`);
    process.exit(code);
  }
  for (const result of results) process.stdout.write(`${describe(result)}\n`);
  if (first) {
    process.stderr.write(`maillab: ${failed.length} of ${results.length} recipient${results.length === 1 ? ' was' : 's were'} not accepted (exit status ${code}: ${exitMeaning(code)})\n`);
    process.exit(code);
  }
}
