/**
 * Authenticated submission binds the sender to the login (issue 14 item 12,
 * issue 19 item 11): MAIL FROM must be an address of the user who
 * authenticated, in a local domain (RFC 6409 §6.1; Postfix's
 * reject_sender_login_mismatch); the null sender and other domains are
 * refused; and the Received line names that user. Real lab, real sockets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { lineSession, type RawClient } from '../helpers/raw-client.js';

let lab: TestLab | undefined;
let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await lab?.stop();
  lab = undefined;
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function loggedInAsBob() {
  lab = await startTestLab();
  const send = await lineSession(clients, lab.submissionPort);
  await send('EHLO client.example', /^250 /m);
  expect(await send(`AUTH PLAIN ${b64('\0bob\0builder')}`)).toMatch(/^235 /);
  return send;
}

describe('submission: the sender belongs to the login', () => {
  it.each(['<alice@maillab.test>', '<"alice"@maillab.test>', '<ALICE@localhost>', '<postmaster@maillab.test>'])('MAIL FROM:%s as bob is 550 5.7.1 and opens no transaction', async (path) => {
    const send = await loggedInAsBob();
    expect(await send(`MAIL FROM:${path}`)).toMatch(/^550 5\.7\.1 Sender address rejected: <.+> is not owned by user bob \(RFC 6409 section 6\.1\)\r\n$/);
    expect(await send('RCPT TO:<alice@maillab.test>')).toMatch(/^503 /);
  });

  it.each([
    ['<>', /the null sender <> is for bounces the mail system sends itself, not for mail from user bob/],
    ['<bob@[127.0.0.1]>', /<bob@\[127\.0\.0\.1\]> is not in a domain of this server \(maillab\.test, localhost\); user bob sends as bob@maillab\.test/],
    ['<bob@example.org>', /<bob@example\.org> is not in a domain of this server/],
  ])('MAIL FROM:%s as bob is 550 5.7.1 with its own reason', async (path, reason) => {
    const send = await loggedInAsBob();
    const answer = await send(`MAIL FROM:${path}`);
    expect(answer).toMatch(/^550 5\.7\.1 Sender address rejected: /);
    expect(answer).toMatch(reason);
    expect(await send('RCPT TO:<alice@maillab.test>')).toMatch(/^503 /);
  });

  it.each(['<bob@maillab.test>', '<Bob@localhost>', '<"bob"@maillab.test>'])('MAIL FROM:%s as bob is accepted', async (path) => {
    const send = await loggedInAsBob();
    expect(await send(`MAIL FROM:${path}`)).toMatch(/^250 2\.1\.0 /);
  });

  it('the Received line says ESMTPA and names the authenticated user', async () => {
    const send = await loggedInAsBob();
    await send('MAIL FROM:<bob@maillab.test>');
    await send('RCPT TO:<alice@maillab.test>');
    await send('DATA');
    expect(await send('Subject: from bob\r\n\r\nhi\r\n.')).toMatch(/^250 /);
    const folder = join(lab!.data.mailRoot, 'alice', 'new');
    const stored = readdirSync(folder).map((name) => readFileSync(join(folder, name), 'utf8')).find((text) => text.includes('Subject: from bob'));
    expect(stored).toMatch(/^Return-Path: <bob@maillab\.test>\r\nReceived: from client\.example \(\[127\.0\.0\.1\]\)\r\n\t\(authenticated as bob\)\r\n\tby maillab\.test with ESMTPA id \S+\r\n/);
  });
});
