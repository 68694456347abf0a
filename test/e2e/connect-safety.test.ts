/**
 * Issue 18, "must not happen", with `maillab connect` from a script against
 * real peers (Dovecot with STLS, nodemailer smtp-server with STARTTLS and
 * AUTH, aiosmtpd without PIPELINING or AUTH) and small scripted servers: a
 * failed TLS handshake ends the session at once with status 29; credentials
 * go only to an AUTH the server offered; --pipeline batches only when offered;
 * after the server closes, the rest of the script is not sent.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { EXIT_CODES } from '../../core/models/exit-status.js';
import { startAiosmtpd, type AiosmtpdPeer } from '../helpers/aiosmtpd.js';
import { startDovecot, type DovecotPeer } from '../helpers/dovecot.js';
import { runMaillab } from '../helpers/maillab-cli.js';
import { makeCertificate, onLines, serverTls, startScriptedServer, type RunningServer, type TestCertificate } from '../helpers/scripted-server.js';

let dovecot: DovecotPeer;
let aiosmtpd: AiosmtpdPeer;
let nodemailer: SMTPServer;
let nodemailerPort = 0;
let wrongName: TestCertificate;
const scripted: RunningServer[] = [];

beforeAll(async () => {
  [dovecot, aiosmtpd, wrongName] = await Promise.all([startDovecot({ carol: 'secret-carol' }), startAiosmtpd(), makeCertificate('mail.other.example', ['mail.other.example'])]);
  const certificate = await makeCertificate('localhost', ['localhost']);
  nodemailer = new SMTPServer({
    ...certificate,
    disableReverseLookup: true,
    authMethods: ['PLAIN'],
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (auth.username === 'dora' && auth.password === 'peer-secret') callback(null, { user: 'dora' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream: SMTPServerDataStream, _session: SMTPServerSession, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => nodemailer.listen(0, '127.0.0.1', () => resolve()));
  nodemailerPort = (nodemailer.server.address() as { port: number }).port;
});
afterAll(async () => {
  await Promise.all([dovecot.stop(), aiosmtpd.stop(), new Promise<void>((resolve) => nodemailer.close(() => resolve())), ...scripted.map((server) => server.close())]);
});

/** An SMTP server scripted per connection; kept for afterAll. */
async function scriptedSmtp(handle: (socket: Socket) => void): Promise<number> {
  const server = await startScriptedServer(handle);
  scripted.push(server);
  return server.port;
}

/** Greets, answers EHLO with STARTTLS, says 220 to STARTTLS, then does `after` with the socket. */
function startTlsThen(after: (socket: Socket) => void): (socket: Socket) => void {
  return (socket) => {
    socket.write('220 scripted.test ESMTP\r\n');
    let upgraded = false;
    onLines(socket, (line) => {
      if (upgraded) return;
      if (/^EHLO/i.test(line)) socket.write('250-scripted.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
      else if (/^STARTTLS/i.test(line)) {
        upgraded = true;
        socket.write('220 2.0.0 ready to start TLS\r\n');
        after(socket);
      } else socket.write('250 ok\r\n');
    });
  };
}

const clientLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('C: '));

describe('a typed STARTTLS/STLS whose handshake fails ends the session at once (status 29)', () => {
  it('the server closes right after 220 to STARTTLS: one line, state CLOSED, nothing more sent', async () => {
    const port = await scriptedSmtp(startTlsThen((socket) => socket.destroy()));
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`, '--timeout', '20'], 'EHLO me\nSTARTTLS\nEHLO again\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(clientLines(result.stdout)).toEqual(['C: EHLO me', 'C: STARTTLS']);
    expect(result.stdout).toMatch(/TLS with 127\.0\.0\.1:\d+ failed: .*(closed|reset)/);
    expect(result.stdout).toMatch(/state READY -> CLOSED/);
    expect(result.stdout).toMatch(/the script's last 2 lines were not sent/);
  });

  it('the certificate is self-signed and for another name: both problems said, nothing sent over it', async () => {
    const port = await scriptedSmtp(startTlsThen((socket) => serverTls(socket, wrongName)));
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`], 'EHLO me\nSTARTTLS\nEHLO again\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(result.stdout).toMatch(/the certificate is self-signed/);
    expect(result.stdout).toMatch(/the certificate is for mail\.other\.example, not 127\.0\.0\.1/);
    expect(result.stdout).not.toMatch(/altnames: *$/m);
    expect(clientLines(result.stdout)).toEqual(['C: EHLO me', 'C: STARTTLS']);
  });

  it('Dovecot: STLS typed without --insecure refuses its self-signed certificate and stops there', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`], 'STLS\nCAPA\nUSER carol\nPASS secret-carol\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(clientLines(result.stdout)).toEqual(['C: STLS']);
    expect(result.stdout).toMatch(/the certificate is self-signed/);
    expect(result.stdout).toMatch(/state AUTHORIZATION -> CLOSED/);
  });

  it('Dovecot with --insecure: STLS works, the prompt-less transcript says UNVERIFIED, and CAPA before and after TLS are compared', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--insecure'], 'CAPA\nSTLS\nCAPA\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/UNVERIFIED/);
    expect(result.stdout).toMatch(/compared with before TLS, the server (added|dropped) .*STLS/);
  });
});

describe('credentials go only to an AUTH the server offered', () => {
  it('aiosmtpd offers no AUTH: /plain is held back with the reason and the fix; exit 28', async () => {
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${aiosmtpd.port}`], 'EHLO me\n/plain dora peer-secret\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.AUTH);
    expect(clientLines(result.stdout)).toEqual(['C: EHLO me', 'C: QUIT']);
    expect(result.stdout).toMatch(/not sent: the server did not offer AUTH \(its EHLO reply has no AUTH\).*STARTTLS/);
    expect(result.stdout).not.toContain('peer-secret');
  });

  it('a hand-typed AUTH PLAIN <base64> is held back too; /plain! insists, and the refusal is explained as "never offered"', async () => {
    const typed = await runMaillab(['connect', `smtp://127.0.0.1:${aiosmtpd.port}`], `EHLO me\nAUTH PLAIN ${Buffer.from('\0dora\0peer-secret').toString('base64')}\nQUIT\n`);
    expect(clientLines(typed.stdout)).toEqual(['C: EHLO me', 'C: QUIT']);
    const insisted = await runMaillab(['connect', `smtp://127.0.0.1:${aiosmtpd.port}`], 'EHLO me\n/plain! dora peer-secret\nQUIT\n');
    expect(clientLines(insisted.stdout)).toEqual(['C: EHLO me', expect.stringMatching(/^C: AUTH PLAIN \*+$/), 'C: QUIT']);
    expect(insisted.stdout).toMatch(/sending it anyway, as insisted/);
    expect(insisted.stdout).toMatch(/refused because the server never offered this AUTH/);
    expect(insisted.code).toBe(EXIT_CODES.AUTH);
  });

  it('nodemailer smtp-server offers PLAIN only: AUTH LOGIN with a response is held back; after STARTTLS the lists are compared and /plain logs in', async () => {
    const login = await runMaillab(['connect', `smtp://127.0.0.1:${nodemailerPort}`], `EHLO me\nAUTH LOGIN ${Buffer.from('dora').toString('base64')}\nQUIT\n`);
    expect(login.stdout).toMatch(/not sent: the server offers AUTH PLAIN, not LOGIN/);
    const tls = await runMaillab(['connect', `smtp://127.0.0.1:${nodemailerPort}`, '--insecure'], 'EHLO me\nSTARTTLS\nEHLO me\n/plain dora peer-secret\nQUIT\n');
    expect(tls.code).toBe(0);
    expect(tls.stdout).toMatch(/compared with before TLS, the server .*dropped STARTTLS/);
    expect(tls.stdout).toMatch(/^S: 235 /m);
  });
});

describe('--pipeline batches only what the server offered', () => {
  it('aiosmtpd (no PIPELINING): lock-step with a note, every command after the previous reply', async () => {
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${aiosmtpd.port}`, '--pipeline', '--json'], 'EHLO me\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nDATA\nSubject: x\n\nhi\n.\nQUIT\n');
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; from?: string; text?: string });
    expect(events.some((event) => event.kind === 'notice' && /did not offer PIPELINING/.test(event.text ?? ''))).toBe(true);
    const order = events.filter((event) => event.kind === 'line' && (event.from === 'server' || !/^(Subject|hi|)$/.test(event.text ?? ''))).map((event) => event.from![0]).join('');
    // Greeting, then each command answered before the next (EHLO's reply is several lines).
    expect(order).toMatch(/^sc(s+)cscscs.*c(s)cs$/);
  });

  it('Dovecot: nothing is batched before CAPA has answered; then the batch goes out in one write', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--pipeline', '--json'], 'CAPA\nUSER carol\nPASS secret-carol\nSTAT\nQUIT\n');
    expect(result.code).toBe(0);
    const order = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; from?: string }).filter((event) => event.kind === 'line').map((event) => event.from![0]).join('');
    expect(order.startsWith('scs')).toBe(true);
  });
});

describe('after the server closes, the rest of the script is not sent', () => {
  it('a 421 greeting: exit 21, nothing sent', async () => {
    const port = await scriptedSmtp((socket) => socket.end('421 4.3.2 busy, try later\r\n'));
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`], 'EHLO me\nMAIL FROM:<a@example.org>\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.GREETING);
    expect(clientLines(result.stdout)).toEqual([]);
  });

  it('a "221 2.7.0" to RCPT (not QUIT): not called the answer to QUIT; the script stops, exit 6', async () => {
    const port = await scriptedSmtp((socket) => {
      socket.write('220 strict.test ESMTP\r\n');
      onLines(socket, (line) => {
        if (/^RCPT/i.test(line)) socket.end('221 2.7.0 Error: I can break rules, too. Goodbye.\r\n');
        else socket.write(/^EHLO/i.test(line) ? '250 strict.test\r\n' : '250 2.1.0 ok\r\n');
      });
    });
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`], 'EHLO me\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nDATA\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.DROPPED);
    expect(clientLines(result.stdout)).toEqual(['C: EHLO me', 'C: MAIL FROM:<a@example.org>', 'C: RCPT TO:<b@example.org>']);
    expect(result.stdout).not.toMatch(/The answer to QUIT/);
    expect(result.stdout).toMatch(/ending the session on its own/);
  });
});

describe('--json', () => {
  it('every event carries its time, and the last one holds the exit status', async () => {
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${aiosmtpd.port}`, '--json'], 'EHLO me\nRCPT TO:<b@example.org>\nQUIT\n');
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { at: string; kind: string; status?: number });
    expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'exit', status: result.code });
    // aiosmtpd answers RCPT before MAIL with 503: a refused RCPT, swaks' 24.
    expect(result.code).toBe(EXIT_CODES.RCPT);
  });

  it('send --json too: the exchange, a result per recipient, then the exit status, each with its time', async () => {
    const result = await runMaillab(['send', '--from', 'a@example.org', '--to', 'b@example.org', '--body', 'x', '--server', `smtp://127.0.0.1:${aiosmtpd.port}`, '--json']);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { at: string; kind: string; address?: string; ok?: boolean; status?: number });
    expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
    expect(events.some((event) => event.kind === 'line')).toBe(true);
    expect(events.find((event) => event.kind === 'result')).toMatchObject({ address: 'b@example.org', ok: true });
    expect(events.at(-1)).toMatchObject({ kind: 'exit', status: 0 });
  });
});
