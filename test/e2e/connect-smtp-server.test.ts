/**
 * `maillab connect` against an SMTP server maillab did not write: nodemailer's
 * smtp-server from npm, on loopback, plain with STARTTLS and implicit TLS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { ensureCertificate } from '../../core/net/tls-certificate.js';
import { runMaillab } from '../helpers/maillab-cli.js';

interface Received {
  from: string;
  to: string[];
  body: string;
  user?: string;
}

const received: Received[] = [];
const servers: SMTPServer[] = [];
let plainPort = 0;
let implicitPort = 0;
let folder = '';

async function listen(secure: boolean, key: string, cert: string): Promise<number> {
  const server = new SMTPServer({
    secure,
    key,
    cert,
    name: 'peer.example',
    banner: 'smtp-server test peer',
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      const ok = auth.method === 'CRAM-MD5' ? auth.validatePassword('peer-secret') : auth.password === 'peer-secret';
      if (auth.username === 'dora' && ok) callback(null, { user: 'dora' });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      if (address.address.startsWith('nobody@')) {
        const error = new Error('No such user') as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
      } else callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const user = typeof session.user === 'string' ? session.user : undefined;
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), body, ...(user ? { user } : {}) });
        callback();
      });
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.server.address() as { port: number }).port;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'maillab-smtp-peer-'));
  const { key, cert } = await ensureCertificate(folder, 'localhost');
  plainPort = await listen(false, key, cert);
  implicitPort = await listen(true, key, cert);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  rmSync(folder, { recursive: true, force: true });
});

function events(stdout: string): WireEvent[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
}
const transitions = (list: WireEvent[]) => list.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}->${e.to}` : ''));
const keys = (list: WireEvent[], about: string) => list.filter((e) => e.kind === 'annotation' && e.about === about).map((e) => (e.kind === 'annotation' ? e.key : ''));

describe('maillab connect against nodemailer smtp-server', () => {
  it('a whole transaction over plain SMTP: EHLO keywords, states, a refused recipient, dot-stuffed content', async () => {
    const script = 'EHLO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<nobody@example.com>\nRCPT TO:<b@example.com>\nDATA\nSubject: hi\n\n..dot line\n.\nQUIT\n';
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${plainPort}`, '--json'], script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(24); // the refused RCPT, swaks' number (maillab connect --help)
    const list = events(result.stdout);
    expect(transitions(list)).toEqual(['INIT->READY', 'READY->MAIL', 'MAIL->RCPT', 'RCPT->DATA', 'DATA->READY', 'READY->CLOSED']);
    expect(keys(list, 'keyword')).toEqual(expect.arrayContaining(['smtp.keyword.PIPELINING', 'smtp.keyword.8BITMIME', 'smtp.keyword.STARTTLS', 'smtp.keyword.AUTH']));
    expect(keys(list, 'reply')).toContain('smtp.reply.550');
    const message = received.find((m) => m.body.includes('Subject: hi'));
    expect(message).toMatchObject({ from: 'a@example.org', to: ['b@example.com'] });
    expect(message!.body).toContain('\r\n.dot line\r\n');
  });

  it('--starttls then AUTH PLAIN and CRAM-MD5 through meta-commands, secrets masked', async () => {
    const plain = await runMaillab(['connect', `smtp://127.0.0.1:${plainPort}`, '--starttls', '--insecure', '--json'], 'EHLO client.example\n/plain dora peer-secret\nQUIT\n');
    expect(plain.code).toBe(0);
    const list = events(plain.stdout);
    expect(list.find((e) => e.kind === 'tls')).toMatchObject({ version: expect.stringMatching(/^TLSv1\.[23]$/), peer: { verified: false } });
    expect(transitions(list)).toEqual(['INIT->READY', 'READY->INIT', 'INIT->READY', 'READY->CLOSED']);
    expect(list.some((e) => e.kind === 'annotation' && e.key === 'smtp.auth.authenticated')).toBe(true);
    expect(plain.stdout).not.toContain('peer-secret');
    expect(plain.stdout).not.toContain(Buffer.from('\0dora\0peer-secret').toString('base64'));

    const cram = await runMaillab(['connect', `smtp://127.0.0.1:${plainPort}`, '--json'], 'EHLO client.example\nAUTH CRAM-MD5\n/cram dora peer-secret\nQUIT\n');
    const cramEvents = events(cram.stdout);
    expect(cramEvents.find((e) => e.kind === 'annotation' && e.key === 'smtp.sasl.challenge')).toMatchObject({ detail: expect.stringMatching(/^<.+>$/) });
    expect(keys(cramEvents, 'reply')).toContain('smtp.reply.235');
  });

  it('smtps:// implicit TLS, AUTH LOGIN with /login and /b64', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${implicitPort}`, '--insecure', '--json'], 'EHLO client.example\n/login dora\n/b64 peer-secret\nMAIL FROM:<dora@example.org>\nRCPT TO:<c@example.com>\nDATA\nSubject: over smtps\n\nhello\n.\nQUIT\n');
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(list.find((e) => e.kind === 'tls')).toBeDefined();
    expect(list.filter((e) => e.kind === 'annotation' && e.key === 'smtp.sasl.challenge').map((e) => (e.kind === 'annotation' ? e.detail : ''))).toEqual(['Password:']);
    expect(transitions(list)).toContain('DATA->READY');
    expect(received.find((m) => m.body.includes('Subject: over smtps'))).toMatchObject({ user: 'dora', to: ['c@example.com'] });
  });
});
