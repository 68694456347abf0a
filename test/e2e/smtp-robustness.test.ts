/**
 * Hostile and careless SMTP clients over real TCP: the 2023 smuggling
 * variants, overlong lines, early talkers, pipelining, a kill mid-DATA,
 * STARTTLS command injection, caps and timeouts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { rawConnect, type RawClient } from '../helpers/raw-client.js';

let lab: TestLab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

function stored(user: string): number {
  const root = join(lab!.data.mailRoot, user);
  return readdirSync(join(root, 'new')).length + readdirSync(join(root, 'cur')).length;
}

function tmpFiles(user: string): number {
  return readdirSync(join(lab!.data.mailRoot, user, 'tmp')).length;
}

/** Replies received so far, one entry per final reply line ("250 ..."), without continuation lines. */
function finalReplies(client: RawClient): string[] {
  return client.received.split('\r\n').filter((line) => /^\d{3} /.test(line));
}

async function session(port = lab!.smtpPort): Promise<RawClient> {
  const client = await rawConnect(port);
  await client.waitFor(/^220 /);
  return client;
}

async function openData(client: RawClient): Promise<void> {
  client.send('EHLO test.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nDATA\r\n');
  await client.waitFor(/\r\n354 /);
}

const SMUGGLING_VARIANTS: Record<string, string> = {
  'LF . LF': '\n.\n',
  'LF . CRLF': '\n.\r\n',
  'CR . CR': '\r.\r',
  'CRLF . CR': '\r\n.\r',
  'CR . CRLF': '\r.\r\n',
  'LF . CR': '\n.\r',
  'CRLF . LF': '\r\n.\n',
};

describe('SMTP smuggling (bare CR/LF around the end-of-data dot)', () => {
  for (const [name, variant] of Object.entries(SMUGGLING_VARIANTS)) {
    it(`${name}: no second message is started, the tainted message is refused, nothing is stored`, async () => {
      lab = await startTestLab();
      const before = { bob: stored('bob'), alice: stored('alice') };
      const client = await session();
      await openData(client);
      client.send(`Subject: first\r\n\r\nhello${variant}MAIL FROM:<evil@example.org>\r\nRCPT TO:<alice@maillab.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nbad\r\n.\r\n`);
      await client.waitFor(/\r\n550 5\.6\.0 Message refused: it contains /);
      client.send('NOOP\r\n');
      await client.waitFor(/\r\n250 2\.0\.0 OK\r\n$/);
      // Exactly one answer to the whole data stream: the smuggled MAIL/RCPT/DATA were content, not commands.
      const replies = finalReplies(client);
      expect(replies.slice(-2)[0]).toMatch(/^550 5\.6\.0 .*(bare LF|bare CR)/);
      expect(replies.filter((line) => line.startsWith('354'))).toHaveLength(1);
      expect({ bob: stored('bob'), alice: stored('alice') }).toEqual(before);
      client.close();
    });
  }

  it('a clean message in the same session is still accepted', async () => {
    lab = await startTestLab();
    const before = stored('bob');
    const client = await session();
    await openData(client);
    client.send('Subject: fine\r\n\r\nall CRLF\r\n.\r\n');
    await client.waitFor(/\r\n250 2\.0\.0 OK, message \w+ accepted\r\n/);
    expect(stored('bob')).toBe(before + 1);
    client.close();
  });
});

describe('SMTP limits and misbehaviour', () => {
  it('refuses a command line over 512 octets and a text line over 1000', async () => {
    lab = await startTestLab();
    const client = await session();
    client.send(`EHLO ${'x'.repeat(600)}\r\n`);
    await client.waitFor(/500 5\.5\.2 Line too long: the limit is 512 octets/);
    await openData(client);
    client.send(`Subject: long\r\n\r\n${'y'.repeat(1200)}\r\n.\r\n`);
    await client.waitFor(/500 5\.5\.2 Line too long: text lines are limited to 1000 octets/);
    client.close();
  });

  it('bounds memory for a client that never sends a line feed', async () => {
    lab = await startTestLab({ maxBadCommands: 1000 });
    const client = await session();
    const chunk = 'A'.repeat(64 * 1024);
    for (let i = 0; i < 32; i++) client.send(chunk); // 2 MB, no LF
    await client.waitFor(/500 5\.5\.2 Line too long/);
    client.send('\r\nNOOP\r\n');
    await client.waitFor(/250 2\.0\.0 OK/);
    expect(finalReplies(client).filter((line) => line.startsWith('500'))).toHaveLength(1);
    client.close();
  });

  it('refuses an early talker', async () => {
    lab = await startTestLab({ greetingDelayMs: 400 });
    const client = await rawConnect(lab.smtpPort);
    client.send('EHLO too.early\r\n');
    await client.closed;
    expect(client.received).toMatch(/^554 5\.5\.0 SMTP protocol violation: you sent data before the greeting\r\n$/);
  });

  it('answers a pipelined batch in order, a bad command in it not derailing the rest (RFC 2920)', async () => {
    lab = await startTestLab();
    const client = await session();
    client.send('EHLO pipe.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nFROB\r\nRCPT TO:<nobody@maillab.test>\r\nRCPT TO:<alice@maillab.test>\r\nDATA\r\n');
    await client.waitFor(/\r\n354 /);
    client.send('Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n');
    await client.closed;
    expect(finalReplies(client).map((line) => line.slice(0, 3))).toEqual(['220', '250', '250', '250', '500', '550', '250', '354', '250', '221']);
  });

  it('takes DATA and the message in one packet', async () => {
    lab = await startTestLab();
    const before = stored('alice');
    const client = await session();
    client.send('EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@maillab.test>\r\nDATA\r\nSubject: one packet\r\n\r\n..dot\r\n.\r\nQUIT\r\n');
    await client.closed;
    expect(finalReplies(client).map((line) => line.slice(0, 3))).toEqual(['220', '250', '250', '250', '354', '250', '221']);
    expect(stored('alice')).toBe(before + 1);
  });

  it('stores nothing when the client is killed mid-DATA', async () => {
    lab = await startTestLab();
    const before = stored('bob');
    const client = await session();
    await openData(client);
    // The lab runs in this process: once the kernel has the bytes, the server reads them before the reset.
    await new Promise<void>((resolve) => client.socket.write(`Subject: never finished\r\n\r\n${'z'.repeat(5000)}\r\nmore\r\n`, () => resolve()));
    client.socket.resetAndDestroy();
    // The server notices the reset; a new session proves it is still serving.
    const next = await session();
    next.send('QUIT\r\n');
    await next.closed;
    expect(stored('bob')).toBe(before);
    expect(tmpFiles('bob')).toBe(0);
  });

  it('accepts BDAT chunks over TCP (RFC 3030)', async () => {
    lab = await startTestLab();
    const before = stored('bob');
    const client = await session();
    const part1 = 'Subject: chunked\r\n\r\n';
    const part2 = 'in two chunks\r\n';
    client.send(`EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nBDAT ${part1.length}\r\n${part1}BDAT ${part2.length} LAST\r\n${part2}QUIT\r\n`);
    await client.closed;
    expect(finalReplies(client).slice(-3)).toEqual([`250 2.0.0 ${part1.length} octets received`, expect.stringMatching(/^250 2\.0\.0 OK, message/), '221 2.0.0 maillab.test Service closing transmission channel']);
    expect(stored('bob')).toBe(before + 1);
  });

  it('caps recipients at 100 per message with 452 (RFC 5321 §4.5.3.1.10)', async () => {
    lab = await startTestLab({ maxBadCommands: 1000 });
    const client = await session();
    const rcpts = Array.from({ length: 101 }, () => 'RCPT TO:<bob@maillab.test>\r\n').join('');
    client.send(`EHLO x\r\nMAIL FROM:<a@example.org>\r\n${rcpts}`);
    await client.waitFor(/452 4\.5\.3 Too many recipients/);
    const replies = finalReplies(client);
    expect(replies.filter((line) => line.startsWith('250 2.1.5'))).toHaveLength(100);
    client.close();
  });

  it('discards commands pipelined after STARTTLS (no plaintext injection into TLS)', async () => {
    lab = await startTestLab();
    const client = await session();
    client.send('EHLO x\r\n');
    await client.waitFor(/250 HELP\r\n/);
    client.send('STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n');
    await client.waitFor(/220 2\.0\.0 Ready to start TLS\r\n/);
    const secure = tlsConnect({ socket: client.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
    let received = '';
    const replied = new Promise<void>((resolve) =>
      secure.on('data', (chunk) => {
        received += chunk.toString();
        if (/^250 .*\r\n/m.test(received)) resolve();
      }),
    );
    secure.write('MAIL FROM:<a@example.org>\r\nNOOP\r\n');
    await replied;
    // After TLS the session starts over: MAIL needs a new EHLO. Exactly two replies, ours, in order: had the
    // injected MAIL run in either session, its reply would have come first.
    expect(received).toMatch(/^503 5\.5\.1 Send EHLO or HELO first[^\r\n]*\r\n250 [^\r\n]*\r\n$/);
    secure.destroy();
  });

  it('closes an idle session with 421 (RFC 5321 §4.5.3.2)', async () => {
    lab = await startTestLab({ smtpTimeoutMs: 300 });
    const client = await session();
    await client.closed;
    expect(client.received).toMatch(/421 4\.4\.2 maillab\.test timeout exceeded, closing connection\r\n$/);
  });

  it('ends the session after too many bad commands (421)', async () => {
    lab = await startTestLab({ maxBadCommands: 3 });
    const client = await session();
    client.send('FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n');
    await client.closed;
    expect(finalReplies(client).map((line) => line.slice(0, 3))).toEqual(['220', '500', '500', '421']);
  });
});
