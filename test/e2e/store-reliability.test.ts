/**
 * The store under conditions the happy path never meets, over real sockets
 * against a real lab and Maildir (issue 14): names other programs leave in a
 * Maildir, deliveries that fail halfway, stale temporary files.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../core/lab/lab-server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { lineSession, type RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/time.js';

let labs: TestLab[] = [];
let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  for (const lab of labs.reverse()) await lab.stop();
  labs = [];
  clients = [];
});

async function lab(overrides: Partial<LabConfig> = {}, dir?: string): Promise<TestLab> {
  const started = await startTestLab(overrides, dir);
  labs.push(started);
  return started;
}

const subjectOf = (text: string) => /Subject: (\w+)/.exec(text)![1]!;

describe('POP3 DELE over a Maildir with names from elsewhere', () => {
  it('DELE 1 then QUIT removes message 1 and keeps its copy in cur/ and its ",v2" sibling', async () => {
    const l = await lab();
    const maildir = join(l.data.mailRoot, 'bob');
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub), { recursive: true });
    writeFileSync(join(maildir, 'new', '1000000000.copy'), 'Subject: first\r\n\r\none\r\n');
    writeFileSync(join(maildir, 'cur', '1000000000.copy:2,S'), 'Subject: second\r\n\r\ntwo\r\n');
    writeFileSync(join(maildir, 'new', '1000000001.x,v1'), 'Subject: third\r\n\r\nthree\r\n');
    writeFileSync(join(maildir, 'new', '1000000001.x,v2'), 'Subject: fourth\r\n\r\nfour\r\n');
    const send = await lineSession(clients, l.pop3Port);
    await send('USER bob');
    expect(await send('PASS builder')).toMatch(/^\+OK/);
    const uidl = await send('UIDL', /\r\n\.\r\n/);
    const ids = uidl.split('\r\n').slice(1, -2).map((line) => line.split(' ')[1]);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const subjects: string[] = [];
    for (let n = 1; n <= 4; n++) subjects.push(subjectOf(await send(`RETR ${n}`, /\r\n\.\r\n/)));
    expect(new Set(subjects).size).toBe(4);
    expect(await send('DELE 1')).toBe('+OK message 1 deleted\r\n');
    expect(await send('DELE 3')).toBe('+OK message 3 deleted\r\n');
    expect(await send('QUIT')).toBe('+OK maillab.test POP3 server signing off (2 messages left)\r\n');
    const left = ['new', 'cur'].flatMap((sub) => readdirSync(join(maildir, sub)).map((name) => subjectOf(readFileSync(join(maildir, sub, name), 'utf8'))));
    expect(left.sort()).toEqual([subjects[1], subjects[3]].sort());
  });
});

describe('stale temporary files', () => {
  /** A partial file such as a SIGKILL mid-delivery leaves, last written `hours` ago. */
  function leftover(l: TestLab, user: string, name: string, hours: number): string {
    const path = join(l.data.mailRoot, user, 'tmp', name);
    writeFileSync(path, 'Subject: cut short\r\n\r\nhalf a mess');
    const when = new Date(Date.now() - hours * 3600 * 1000);
    utimesSync(path, when, when);
    return path;
  }

  it('are removed at start-up (older than 36 hours) while younger ones stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maillab-test-'));
    const first = await startTestLab({}, dir);
    const stale = leftover(first, 'alice', 'killed-mid-write', 40);
    const young = leftover(first, 'bob', 'maybe-in-progress', 1);
    await first.close(); // keeps the folder
    const log: string[] = [];
    const second = await lab({ onStoreLog: (text) => log.push(text) }, dir);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(log).toEqual([`removed stale temporary file ${stale}`]);
    expect(second.listeners.length).toBeGreaterThan(0);
  });

  it('are removed periodically while the lab runs', async () => {
    const l = await lab({ temporarySweepIntervalMs: 20 });
    const stale = leftover(l, 'alice', 'killed-later', 37);
    const young = leftover(l, 'alice', 'recent', 0);
    await until(() => !existsSync(stale), 'the periodic sweep', 5000, { pollMs: 20 });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(young)).toBe(true);
  });
});

describe('a delivery to several local recipients that fails for one of them', () => {
  /** Messages in a user's new/ and cur/, by Subject. */
  function subjects(l: TestLab, user: string): string[] {
    const folder = join(l.data.mailRoot, user);
    return ['new', 'cur'].flatMap((sub) => (existsSync(join(folder, sub)) ? readdirSync(join(folder, sub)) : []).map((name) => /^Subject: (.*?)\r?$/m.exec(readFileSync(join(folder, sub, name), 'utf8'))?.[1] ?? '(none)'));
  }

  it('answers 451 only after taking back the copies already stored, so the retry delivers exactly one each', async () => {
    const l = await lab();
    const alice = join(l.data.mailRoot, 'alice');
    const bob = join(l.data.mailRoot, 'bob');
    const aliceBefore = subjects(l, 'alice');
    // bob's Maildir is broken (new/ is a file), so bob's copy fails after alice's was written.
    rmSync(join(bob, 'new'), { recursive: true, force: true });
    writeFileSync(join(bob, 'new'), 'not a folder');
    const transaction = async () => {
      const send = await lineSession(clients, l.smtpPort);
      await send('EHLO client.example', /^250 /m);
      await send('MAIL FROM:<carol@example.org>');
      expect(await send('RCPT TO:<alice@maillab.test>')).toMatch(/^250 /);
      expect(await send('RCPT TO:<bob@maillab.test>')).toMatch(/^250 /);
      expect(await send('DATA')).toMatch(/^354 /);
      return send('Subject: twice\r\n\r\nonce only, please\r\n.');
    };
    expect(await transaction()).toMatch(/^451 4\.3\.0 .*nothing was stored/);
    expect(subjects(l, 'alice')).toEqual(aliceBefore);
    expect(readdirSync(join(alice, 'tmp'))).toEqual([]);
    expect(readdirSync(join(bob, 'tmp'))).toEqual([]);
    // Repaired, the client's retry stores one copy for each.
    rmSync(join(bob, 'new'));
    mkdirSync(join(bob, 'new'));
    expect(await transaction()).toMatch(/^250 /);
    expect(subjects(l, 'alice').filter((s) => s === 'twice')).toHaveLength(1);
    expect(subjects(l, 'bob')).toEqual(['twice']);
  });
});

describe('addresses', () => {
  it('RCPT TO:<"bob"@maillab.test> is bob\'s mailbox: the message lands in his Maildir', async () => {
    const l = await lab();
    const send = await lineSession(clients, l.smtpPort);
    await send('EHLO client.example', /^250 /m);
    await send('MAIL FROM:<carol@example.org>');
    expect(await send('RCPT TO:<"bob"@maillab.test>')).toMatch(/^250 2\.1\.5 /);
    expect(await send('DATA')).toMatch(/^354 /);
    expect(await send('Subject: quoted\r\n\r\nhi\r\n.')).toMatch(/^250 /);
    const names = readdirSync(join(l.data.mailRoot, 'bob', 'new'));
    expect(names).toHaveLength(1);
    expect(readFileSync(join(l.data.mailRoot, 'bob', 'new', names[0]!), 'utf8')).toContain('Subject: quoted');
  });
});
