/**
 * maillab's SMTP client driver on real sockets against servers that misbehave
 * (hand-written with node:net): silence, endless lines, a dropped connection,
 * an abort, plaintext injected after the 220 to STARTTLS. And against the lab:
 * AUTH LOGIN when PLAIN is not chosen, every step observed.
 */
import { createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendOverSmtp, type SmtpClientOptions } from '../../core/send/smtp-client.js';
import { startTestLab } from '../helpers/lab.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((done) => server.close(() => done()));
});

/** A TCP server on 127.0.0.1 whose connections `handle` drives; resolves with its port. */
async function rogue(handle: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    handle(socket);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return (server.address() as { port: number }).port;
}

function options(port: number, overrides: Partial<SmtpClientOptions> = {}): SmtpClientOptions {
  return {
    host: '127.0.0.1',
    port,
    implicitTls: false,
    startTls: 'none',
    insecure: false,
    heloName: 'client.test',
    from: 'alice@a.test',
    recipients: ['bob@b.test'],
    message: Buffer.from('Subject: x\r\n\r\nx\r\n'),
    ...overrides,
  };
}

/** Answers each command line with the reply `script` gives (none: stay silent; CLOSE: hang up). */
function scripted(script: (line: string) => string | undefined): (socket: Socket) => void {
  return (socket) => {
    socket.write('220 rogue.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const reply = script('<end of data>');
            if (reply) socket.write(reply);
          }
          continue;
        }
        if (line === 'DATA') inData = true;
        const reply = script(line);
        if (reply === 'CLOSE') socket.destroy();
        else if (reply) socket.write(reply);
      }
    });
  };
}

describe('sendOverSmtp against misbehaving servers', () => {
  it('a server that never greets: a temporary failure after the reply timeout', async () => {
    const port = await rogue(() => {});
    const results = await sendOverSmtp(options(port, { replyTimeoutMs: 200 }));
    expect(results[0]).toMatchObject({ ok: false, code: 0, temporary: true, stage: 'greeting' });
    expect(results[0]!.text).toMatch(/no greeting from 127\.0\.0\.1:\d+ within/);
  });

  it('a server that sends an endless line is cut off, not buffered', async () => {
    const port = await rogue((socket) => socket.write(`220 ${'x'.repeat(100_000)}`));
    const results = await sendOverSmtp(options(port, { replyTimeoutMs: 5000 }));
    expect(results[0]!.text).toMatch(/sent a line longer than 4096 octets/);
  });

  it('a server silent after MAIL, or hanging up at RCPT: undecided recipients fail temporarily', async () => {
    const until = (atRcpt: string | undefined) =>
      scripted((line) => {
        if (line.startsWith('EHLO')) return '250 rogue.test\r\n';
        if (line.startsWith('MAIL')) return '250 ok\r\n';
        return atRcpt;
      });
    const silent = await sendOverSmtp(options(await rogue(until(undefined)), { replyTimeoutMs: 300 }));
    expect(silent[0]).toMatchObject({ code: 0, temporary: true, stage: 'rcpt' });
    expect(silent[0]!.text).toMatch(/no reply from 127\.0\.0\.1:\d+ within/);
    const dropped = await sendOverSmtp(options(await rogue(until('CLOSE'))));
    expect(dropped[0]).toMatchObject({ code: 0, temporary: true, stage: 'rcpt' });
    expect(dropped[0]!.text).toMatch(/closed the connection|reset the connection/);
  });

  it('an abort ends the session at once', async () => {
    const port = await rogue(() => {});
    const controller = new AbortController();
    const pending = sendOverSmtp(options(port, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const results = await pending;
    expect(results[0]!.text).toMatch(/was stopped/);
  });

  it('plaintext sent after the 220 to STARTTLS is never read as a reply (RFC 3207 §4.2)', async () => {
    const lab = await startTestLab();
    try {
      // A proxy in front of the lab's submission port that injects a forged reply after the 220.
      const port = await rogue((client) => {
        const upstream = new Socket();
        upstream.connect(lab.submissionPort, '127.0.0.1');
        upstream.on('error', () => client.destroy());
        let injected = false;
        upstream.on('data', (chunk: Buffer) => {
          if (!injected && chunk.toString().startsWith('220 2.0.0')) {
            // The forged line rides in the same segment as the 220, as in the STARTTLS injection attacks.
            injected = true;
            client.write(Buffer.concat([chunk, Buffer.from('250 2.1.0 forged\r\n')]));
          } else {
            client.write(chunk);
          }
        });
        client.on('data', (chunk) => upstream.write(chunk));
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      const seen: string[] = [];
      const results = await sendOverSmtp(
        options(port, {
          startTls: 'required',
          insecure: true,
          recipients: ['bob@maillab.test'],
          from: 'alice@maillab.test',
          auth: { user: 'alice', password: 'wonderland' },
          observer: { received: (line) => seen.push(line), tlsEstablished: () => seen.push('(tls)') },
        }),
      );
      expect(results[0]).toMatchObject({ ok: true, code: 250 });
      const afterHandshake = seen.slice(seen.indexOf('(tls)'));
      expect(afterHandshake).not.toContain('250 2.1.0 forged');
      expect(seen).not.toContain('250 2.1.0 forged');
    } finally {
      await lab.stop();
    }
  });
});

describe('sendOverSmtp against the lab', () => {
  it('every step reaches the observer: lines sent (secrets flagged), lines received, the message, the close', async () => {
    const lab = await startTestLab();
    try {
      const sent: string[] = [];
      const received: string[] = [];
      let message: Buffer | undefined;
      let closedReason: string | undefined = 'not closed';
      const results = await sendOverSmtp(
        options(lab.submissionPort, {
          from: 'alice@maillab.test',
          recipients: ['bob@maillab.test'],
          auth: { user: 'alice', password: 'wonderland' },
          // Plaintext on loopback: credentials without verified TLS only when insisted on (--insecure), after a warning.
          insecure: true,
          message: Buffer.from('Subject: observed\n\n.leading dot\n'),
          observer: {
            sent: (line, secret) => sent.push(secret ? `${line.split(' ').slice(0, 2).join(' ')} (secret)` : line),
            received: (line) => received.push(line),
            sentMessage: (payload) => (message = payload),
            closed: (reason) => (closedReason = reason),
            warning: (text) => sent.push(/UNENCRYPTED/.test(text) ? '(warning: unencrypted)' : `(warning: ${text})`),
          },
        }),
      );
      expect(results[0]).toMatchObject({ ok: true, code: 250, enhanced: '2.0.0' });
      expect(sent).toEqual(['EHLO client.test', '(warning: unencrypted)', 'AUTH PLAIN (secret)', 'MAIL FROM:<alice@maillab.test> SIZE=35', 'RCPT TO:<bob@maillab.test>', 'DATA', 'QUIT']);
      expect(message?.toString()).toBe('Subject: observed\r\n\r\n..leading dot\r\n.\r\n');
      expect(received[0]).toMatch(/^220 /);
      expect(received.at(-1)).toMatch(/^221 /);
      expect(closedReason).toBeUndefined();
    } finally {
      await lab.stop();
    }
  });
});
