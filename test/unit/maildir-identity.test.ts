/**
 * A message is the file that was listed (issue 19 item 13): its UIDL stays
 * fixed while it exists, whatever look-alike names appear beside it, and DELE
 * removes the listed file only, not one that took its name after another
 * program moved it. Real Maildir in a temp folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaildirStore } from '../../core/store/maildir-store.js';

let root: string;
let store: MaildirStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'maillab-identity-'));
  store = new MaildirStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function open(user: string) {
  const result = await store.openMaildrop(user);
  if (!result.ok) throw new Error(`open failed: ${result.detail}`);
  return result.maildrop;
}

/** Delivers one message and returns its file name in new/, made a minute old so later files are newer. */
async function delivered(user: string, text: string): Promise<string> {
  await store.deliver(user, Buffer.from(text));
  const name = readdirSync(join(root, user, 'new')).find((file) => readFileSync(join(root, user, 'new', file), 'latin1').includes(text))!;
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(join(root, user, 'new', name), minuteAgo, minuteAgo);
  return name;
}

async function uids(user: string): Promise<string[]> {
  const maildrop = await open(user);
  const list = maildrop.messages.map((message) => message.uid);
  await maildrop.release();
  return list;
}

describe('a UIDL stays fixed while its message exists', () => {
  it('a look-alike differing only in its ",S=" field does not change the existing message\'s UIDL', async () => {
    const name = await delivered('alice', 'Subject: original\r\n\r\nbody\r\n');
    const [before] = await uids('alice');
    writeFileSync(join(root, 'alice', 'new', name.replace(/,S=\d+,W=\d+/, ',S=1,W=1')), 'X');
    const after = await uids('alice');
    expect(after).toHaveLength(2);
    expect(after).toContain(before);
    expect(new Set(after).size).toBe(2);
  });

  it('a different file with the same unique name in cur/ does not change it either', async () => {
    const name = await delivered('alice', 'Subject: original\r\n\r\nbody\r\n');
    const [before] = await uids('alice');
    writeFileSync(join(root, 'alice', 'cur', `${name}:2,S`), 'Subject: impostor\r\n\r\n');
    const after = await uids('alice');
    expect(after).toContain(before);
    expect(new Set(after).size).toBe(2);
    // And the next session again.
    expect(await uids('alice')).toEqual(after);
  });
});

describe('DELE removes only the file that was listed', () => {
  it('the listed file was moved to cur/ and another took its name in new/: the moved one goes, the newcomer stays', async () => {
    const name = await delivered('bob', 'Subject: listed\r\n\r\nbody\r\n');
    const maildrop = await open('bob');
    expect(maildrop.messages).toHaveLength(1);
    renameSync(join(root, 'bob', 'new', name), join(root, 'bob', 'cur', `${name}:2,S`));
    writeFileSync(join(root, 'bob', 'new', name), 'Subject: never listed\r\n\r\n');
    const result = await maildrop.update({ deleted: [0], seen: [] });
    await maildrop.release();
    expect(result.deleted).toBe(1);
    expect(existsSync(join(root, 'bob', 'cur', `${name}:2,S`))).toBe(false);
    expect(readFileSync(join(root, 'bob', 'new', name), 'latin1')).toContain('never listed');
  });

  it('the listed file was moved away and another took its name: nothing is removed, and the DELE is reported failed', async () => {
    const name = await delivered('bob', 'Subject: listed\r\n\r\nbody\r\n');
    const maildrop = await open('bob');
    renameSync(join(root, 'bob', 'new', name), join(root, 'moved-away'));
    writeFileSync(join(root, 'bob', 'new', name), 'Subject: never listed\r\n\r\n');
    const result = await maildrop.update({ deleted: [0], seen: [] });
    await maildrop.release();
    expect(result).toMatchObject({ deleted: 0, failed: [0] });
    expect(readFileSync(join(root, 'bob', 'new', name), 'latin1')).toContain('never listed');
  });
});

describe('RETR reads only the file that was listed', () => {
  it.each([
    ['a small message (read synchronously)', 'short body'],
    ['a large one (read asynchronously)', 'x'.repeat(300_000)],
  ])('%s: moved to cur/ with a newcomer in its place, RETR still gives the listed text', async (_, body) => {
    const name = await delivered('carol', `Subject: listed\r\n\r\n${body}\r\n`);
    const maildrop = await open('carol');
    renameSync(join(root, 'carol', 'new', name), join(root, 'carol', 'cur', `${name}:2,S`));
    writeFileSync(join(root, 'carol', 'new', name), 'Subject: never listed\r\n\r\n');
    const text = Buffer.from(await maildrop.read(0)).toString('latin1');
    await maildrop.release();
    expect(text).toContain('Subject: listed');
    expect(text).not.toContain('never listed');
  });
});
