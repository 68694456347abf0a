/**
 * What the lab's SMTP backend tells the client when storing a message works
 * for some recipients and not for others (issue 14 item 2): never "nothing was
 * stored" while a copy is stored. Real Maildir and queue in a temp folder.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpBackend } from '../../core/lab/smtp-backend.js';
import { MaildirStore } from '../../core/store/maildir-store.js';
import { OutboundQueue } from '../../core/store/outbound-queue.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'maillab-outcome-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const USERS = { alice: 'wonderland', bob: 'builder', carol: 'singer' };

/** A Maildir whose take-back fails, as on a disk that went read-only halfway. */
class StubbornStore extends MaildirStore {
  override async discard(): Promise<void> {
    throw new Error('EROFS: read-only file system');
  }
}

function files(user: string): string[] {
  return ['new', 'cur'].flatMap((sub) => readdirSync(join(root, 'mail', user, sub)).map((name) => readFileSync(join(root, 'mail', user, sub, name), 'latin1')));
}

async function transaction(store: MaildirStore) {
  for (const user of Object.keys(USERS)) await store.ensureMaildir(user);
  // bob's copy fails: his new/ is a file.
  rmSync(join(root, 'mail', 'bob', 'new'), { recursive: true });
  writeFileSync(join(root, 'mail', 'bob', 'new'), 'not a folder');
  const backend = createSmtpBackend({ users: new StaticUsers(USERS), store, queue: new OutboundQueue(join(root, 'queue')), domains: ['maillab.test'], hostname: 'mx.maillab.test' });
  const h = makeSmtpHarness({}, USERS, ['maillab.test'], backend);
  await h.send('EHLO client.example');
  await h.send('MAIL FROM:<carol@maillab.test>');
  await h.send('RCPT TO:<alice@maillab.test>');
  await h.send('RCPT TO:<bob@maillab.test>');
  await h.send('DATA');
  return h.data('Subject: for both\r\n\r\nhello\r\n');
}

describe('per-recipient outcome of a local delivery', () => {
  it('takes back the stored copy and answers 451 when the copy can be taken back', async () => {
    const reply = await transaction(new MaildirStore(join(root, 'mail')));
    expect(reply).toMatch(/^451 4\.3\.0 .*nothing was stored/);
    expect(files('alice')).toEqual([]);
    expect(files('carol')).toEqual([]);
  });

  it('accepts with 250 naming the failed recipient, and bounces to the sender, when the copy cannot be taken back', async () => {
    const reply = await transaction(new StubbornStore(join(root, 'mail')));
    expect(reply).toMatch(/^250 2\.0\.0 .*not delivered to <bob@maillab\.test>: local delivery failed \((?:ENOTDIR|EEXIST)\)/);
    expect(reply).not.toMatch(/nothing was stored/);
    expect(files('alice')).toHaveLength(1);
    expect(files('alice')[0]).toContain('Subject: for both');
    const bounces = files('carol');
    expect(bounces).toHaveLength(1);
    expect(bounces[0]).toMatch(/^Return-Path: <>\r\n/);
    expect(bounces[0]).toContain('Final-Recipient: rfc822; bob@maillab.test');
    expect(bounces[0]).not.toContain('alice@maillab.test\r\nAction: failed');
  });
});

describe('a folder sync that fails after the rename (issue 19 item 4)', () => {
  const failingSync = async () => {
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  };

  it('a local delivery is answered 250, never 451 "nothing was stored", and the operator is told', async () => {
    const logged: string[] = [];
    const store = new MaildirStore(join(root, 'mail'), { syncFolder: failingSync, onSyncFailure: (text) => logged.push(text) });
    const backend = createSmtpBackend({ users: new StaticUsers(USERS), store, queue: new OutboundQueue(join(root, 'queue')), domains: ['maillab.test'], hostname: 'mx.maillab.test' });
    const h = makeSmtpHarness({}, USERS, ['maillab.test'], backend);
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<carol@maillab.test>');
    await h.send('RCPT TO:<alice@maillab.test>');
    await h.send('DATA');
    const reply = await h.data('Subject: synced or not\r\n\r\nhello\r\n');
    expect(reply).toMatch(/^250 2\.0\.0 /);
    expect(reply).not.toMatch(/nothing was stored/);
    // Stored exactly once: a client that had been told 451 would send it again.
    expect(files('alice').filter((text) => text.includes('Subject: synced or not'))).toHaveLength(1);
    expect(logged).toEqual([expect.stringMatching(/^delivered alice\/new\/\S+ but could not sync the folder \(EIO\)/)]);
  });

  it('a copy taken back whose folder sync then fails is gone, and the reply says so: 451, not 250 "delivered"', async () => {
    const reply = await transaction(new MaildirStore(join(root, 'mail'), { syncFolder: failingSync }));
    expect(reply).toMatch(/^451 4\.3\.0 .*nothing was stored/);
    expect(files('alice')).toEqual([]);
  });

  it('a queued message is answered 250 and its entry stays whole, never 451 "nothing was stored"', async () => {
    const logged: string[] = [];
    const queue = new OutboundQueue(join(root, 'queue'), { syncFolder: failingSync, onSyncFailure: (text) => logged.push(text) });
    const backend = createSmtpBackend({
      users: new StaticUsers(USERS),
      store: new MaildirStore(join(root, 'mail')),
      queue,
      domains: ['maillab.test'],
      hostname: 'mx.maillab.test',
      relayAllowed: async () => ({ ok: true }),
    });
    const h = makeSmtpHarness({ listener: 'submission' }, USERS, ['maillab.test'], backend);
    await h.send('EHLO client.example');
    expect(await h.send(`AUTH PLAIN ${Buffer.from('\0carol\0singer').toString('base64')}`)).toMatch(/^235 /);
    await h.send('MAIL FROM:<carol@maillab.test>');
    expect(await h.send('RCPT TO:<friend@elsewhere.example>')).toMatch(/^250 /);
    await h.send('DATA');
    const reply = await h.data('Subject: queued\r\n\r\nhello\r\n');
    expect(reply).toMatch(/^250 2\.0\.0 /);
    const entries = await queue.list();
    expect(entries.map((entry) => entry.recipients)).toEqual([['friend@elsewhere.example']]);
    expect((await queue.message(entries[0]!.id)).toString('latin1')).toContain('Subject: queued');
    expect(logged).toEqual([expect.stringMatching(/^queued \S+ but could not sync the queue folder \(EIO\)/)]);
  });
});
