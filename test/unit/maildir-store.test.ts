import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toWireFormat } from '../../core/framing/dot-stuffing.js';
import { LOCK_FILE } from '../../core/store/maildrop-lock.js';
import { groupCommit } from '../../core/store/durable-write.js';
import { readAheadBytes } from '../../core/store/maildir-read.js';
import { MaildirStore } from '../../core/store/maildir-store.js';
import { isValidMailboxName, uidFromUniqueName, uniqueIds } from '../../core/store/mail-store.js';
import { parseUsers } from '../../core/store/user-directory.js';
import { UsersFile } from '../../core/store/users-file.js';
import { until } from '../helpers/time.js';

let root: string;
let store: MaildirStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'maillab-maildir-'));
  store = new MaildirStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function open(user: string) {
  const result = await store.openMaildrop(user);
  if (!result.ok) throw new Error(`open failed: ${result.detail}`);
  return result.maildrop;
}

describe('Maildir layout and delivery', () => {
  it('writes into <root>/<user>/new with tmp/ left empty, in the layout Dovecot reads', async () => {
    const uid = await store.deliver('alice', Buffer.from('Subject: hi\n\nbody\n'));
    expect(readdirSync(join(root, 'alice')).sort()).toEqual(['cur', 'new', 'tmp']);
    expect(readdirSync(join(root, 'alice', 'tmp'))).toEqual([]);
    const [name] = readdirSync(join(root, 'alice', 'new'));
    expect(name!.startsWith(uid)).toBe(true);
    // Stored with CRLF, S= and W= (Dovecot's sizes) matching the bytes on disk.
    const bytes = readFileSync(join(root, 'alice', 'new', name!));
    expect(bytes.toString()).toBe('Subject: hi\r\n\r\nbody\r\n');
    expect(name).toContain(`,S=${bytes.length},W=${bytes.length}`);
  });

  it('lists messages from new/ and cur/ in delivery order with CRLF wire sizes', async () => {
    mkdirs('bob');
    // A foreign message with LF line ends and no size in its name, already seen (Dovecot renames to cur/…:2,S).
    writeFileSync(join(root, 'bob', 'cur', '1000000000.M1P1.other:2,S'), 'Subject: old\n\nline\n');
    writeFileSync(join(root, 'bob', 'new', '1000000001.M1P1.other'), 'Subject: newer\n\n.dot\n');
    const maildrop = await open('bob');
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['1000000000.M1P1.other', '1000000001.M1P1.other']);
    expect(maildrop.messages.map((m) => m.size)).toEqual([toWireFormat(Buffer.from('Subject: old\n\nline\n')).length, 24]);
    expect(maildrop.messages.map((m) => m.seen)).toEqual([true, false]);
    expect(Buffer.from(await maildrop.read(1)).toString()).toBe('Subject: newer\r\n\r\n.dot\r\n');
    await maildrop.release();
  });

  it('keeps UIDs stable across sessions and store instances', async () => {
    await store.deliver('alice', Buffer.from('Subject: one\r\n\r\nx\r\n'));
    await store.deliver('alice', Buffer.from('Subject: two\r\n\r\ny\r\n'));
    const first = await open('alice');
    const uids = first.messages.map((m) => m.uid);
    await first.update({ deleted: [], seen: [0] }); // renames into cur/ with :2,S
    await first.release();
    const again = await open('alice');
    expect(again.messages.map((m) => m.uid)).toEqual(uids);
    await again.release();
    const other = new MaildirStore(root);
    const result = await other.openMaildrop('alice');
    expect(result.ok && result.maildrop.messages.map((m) => m.uid)).toEqual(uids);
    if (result.ok) await result.maildrop.release();
    for (const uid of uids) expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/);
  });

  it('update removes only the deleted messages and flags retrieved ones as seen in cur/', async () => {
    await store.deliver('alice', Buffer.from('a\r\n'));
    await store.deliver('alice', Buffer.from('b\r\n'));
    await store.deliver('alice', Buffer.from('c\r\n'));
    const maildrop = await open('alice');
    const [a, , c] = maildrop.messages.map((m) => m.uid) as [string, string, string];
    const result = await maildrop.update({ deleted: [1], seen: [2] });
    await maildrop.release();
    expect(result).toEqual({ deleted: 1, failed: [], remaining: 2 });
    expect(readdirSync(join(root, 'alice', 'new')).map((n) => n.split(',')[0])).toEqual([a]);
    expect(readdirSync(join(root, 'alice', 'cur'))).toEqual([expect.stringMatching(new RegExp(`^${c.replace(/\./g, '\\.')},.*:2,S$`))]);
  });

  it('reads a message another program moved from new/ to cur/ meanwhile', async () => {
    await store.deliver('alice', Buffer.from('Subject: moved\r\n\r\nz\r\n'));
    const maildrop = await open('alice');
    const [name] = readdirSync(join(root, 'alice', 'new'));
    const { renameSync } = await import('node:fs');
    renameSync(join(root, 'alice', 'new', name!), join(root, 'alice', 'cur', `${name}:2,S`));
    expect(Buffer.from(await maildrop.read(0)).toString()).toContain('Subject: moved');
    const result = await maildrop.update({ deleted: [0], seen: [] });
    expect(result.failed).toEqual([]);
    expect(readdirSync(join(root, 'alice', 'cur'))).toEqual([]);
    await maildrop.release();
  });

  it('refuses mailbox names that could escape the mail folder', async () => {
    for (const bad of ['../etc', 'a/b', '.hidden', '', 'a..b']) expect(isValidMailboxName(bad)).toBe(false);
    await expect(store.deliver('../evil', Buffer.from('x'))).rejects.toThrow(/invalid mailbox name/);
    const result = await store.openMaildrop('../evil');
    expect(result.ok).toBe(false);
  });

  it('hashes unique names that do not fit the UIDL rules', () => {
    const hash = (text: string) => `h${text.length}`;
    expect(uidFromUniqueName('1700000000.M1P2Q3.host,S=10,W=12:2,S', hash)).toBe('1700000000.M1P2Q3.host');
    // Only Dovecot's size fields are dropped: other ",…" parts are part of the unique name (RFC 1939 §7).
    expect(uidFromUniqueName('1700000000.x,v1:2,S', hash)).toBe('1700000000.x,v1');
    expect(uidFromUniqueName(`${'x'.repeat(71)}`, hash)).toBe('h71');
    expect(uidFromUniqueName('has space', hash)).toBe('h9');
  });
});

describe('unique ids and deletions whatever the file names (RFC 1939 §7)', () => {
  /**
   * Names another program or a person may leave in a Maildir: copies of one
   * message in new/ and cur/, Dovecot-style ",…" fields that differ, flags that
   * differ, names with spaces, names too long for a UIDL. Each file's body says
   * which one it is.
   */
  const SHAPES: readonly [folder: 'new' | 'cur', name: string][] = [
    ['new', '1000000000.M1P1.host'],
    ['cur', '1000000000.M1P1.host:2,S'],
    ['new', '1000000001.x,v1'],
    ['new', '1000000001.x,v2'],
    ['new', '1000000002.y,S=5'],
    ['cur', '1000000002.y,S=6:2,S'],
    ['cur', '1000000003.z:2,S'],
    ['cur', '1000000003.z:2,FS'],
    ['new', '1000000004.w'],
    ['cur', '1000000004.w,W=7:2,'],
    ['new', 'message.eml'],
    ['new', 'hello world.txt'],
    ['new', `${'long'.repeat(20)}`],
    ['new', `${'long'.repeat(20)}:2,S`],
    ['new', '1000000005.q:2,S'],
    ['cur', '1000000005.q'],
  ];

  function writeShapes(user: string): void {
    mkdirs(user);
    SHAPES.forEach(([folder, name], index) => writeFileSync(join(root, user, folder, name), `Subject: shape ${index}\n\nbody ${index}\n`));
  }

  /** Which shapes are still on disk, by the number in their body. */
  function shapesLeft(user: string): number[] {
    const left: number[] = [];
    for (const folder of ['new', 'cur']) {
      for (const name of readdirSync(join(root, user, folder))) {
        const match = /shape (\d+)/.exec(readFileSync(join(root, user, folder, name), 'utf8'));
        if (match) left.push(Number(match[1]));
      }
    }
    return left.sort((a, b) => a - b);
  }

  it('gives every message its own UIDL, within the rules, the same in the next session', async () => {
    writeShapes('bob');
    const maildrop = await open('bob');
    const uids = maildrop.messages.map((m) => m.uid);
    expect(uids).toHaveLength(SHAPES.length);
    expect(new Set(uids).size).toBe(SHAPES.length);
    for (const uid of uids) expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/);
    await maildrop.release();
    const again = await open('bob');
    expect(again.messages.map((m) => m.uid)).toEqual(uids);
    await again.release();
  });

  it('uniqueIds: distinct files always get distinct ids within the UIDL rules (fast-check, seeded)', () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    // Names from a small alphabet so that collisions up to "," and ":" are common.
    const name = fc.stringMatching(/^[ab1.,:2SWv= ]{1,12}$/);
    const files = fc.uniqueArray(fc.record({ folder: fc.constantFrom('new', 'cur'), name }), { selector: (f) => `${f.folder}/${f.name}`, maxLength: 12 });
    fc.assert(
      fc.property(files, (list) => {
        const ids = uniqueIds(list, md5);
        expect(new Set(ids).size).toBe(list.length);
        for (const id of ids) expect(id).toMatch(/^[\x21-\x7e]{1,70}$/);
        // Listed in another order, still distinct.
        const reversed = uniqueIds([...list].reverse(), md5).reverse();
        expect(new Set(reversed).size).toBe(list.length);
      }),
      { seed: 14, numRuns: 2000 },
    );
  });

  it('removes exactly message n and nothing else, for every n', async () => {
    for (let n = 0; n < SHAPES.length; n++) {
      rmSync(join(root, 'bob'), { recursive: true, force: true });
      writeShapes('bob');
      const maildrop = await open('bob');
      const shape = Number(/shape (\d+)/.exec(Buffer.from(await maildrop.read(n)).toString())![1]);
      const result = await maildrop.update({ deleted: [n], seen: [] });
      await maildrop.release();
      expect(result).toEqual({ deleted: 1, failed: [], remaining: SHAPES.length - 1 });
      expect(shapesLeft('bob'), `deleting message ${n + 1} (shape ${shape})`).toEqual(SHAPES.map((_, i) => i).filter((i) => i !== shape));
    }
  });

  it('flags a retrieved copy as seen without overwriting another copy of the same name in cur/', async () => {
    writeShapes('bob');
    const maildrop = await open('bob');
    const result = await maildrop.update({ deleted: [], seen: maildrop.messages.map((_, index) => index) });
    await maildrop.release();
    expect(result.remaining).toBe(SHAPES.length);
    expect(shapesLeft('bob')).toEqual(SHAPES.map((_, i) => i));
  });

  it('a move to cur/ cut short between link and unlink (a crash in UPDATE) shows one message, and the next open finishes the move', async () => {
    const maildir = join(root, 'carol');
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub), { recursive: true });
    writeFileSync(join(maildir, 'new', '1000000000.moved'), 'Subject: moved\r\n\r\none\r\n');
    linkSync(join(maildir, 'new', '1000000000.moved'), join(maildir, 'cur', '1000000000.moved:2,S'));
    // A look-alike that is another file stays a message of its own.
    writeFileSync(join(maildir, 'new', '1000000001.twin'), 'Subject: first\r\n\r\none\r\n');
    writeFileSync(join(maildir, 'cur', '1000000001.twin:2,S'), 'Subject: second\r\n\r\ntwo\r\n');
    const maildrop = await open('carol');
    expect(maildrop.messages).toHaveLength(3);
    const result = await maildrop.update({ deleted: [0], seen: [] });
    await maildrop.release();
    expect(result.remaining).toBe(2);
    expect(readdirSync(join(maildir, 'new'))).toEqual(['1000000001.twin']);
    expect(readdirSync(join(maildir, 'cur'))).toEqual(['1000000001.twin:2,S']);
  });

  it('reports the messages really left, counting mail delivered during the session', async () => {
    await store.deliver('alice', Buffer.from('a\r\n'));
    await store.deliver('alice', Buffer.from('b\r\n'));
    const maildrop = await open('alice');
    await store.deliver('alice', Buffer.from('arrived meanwhile\r\n'));
    const result = await maildrop.update({ deleted: [0], seen: [] });
    await maildrop.release();
    expect(result).toEqual({ deleted: 1, failed: [], remaining: 2 });
  });
});

describe('temporary files (Maildir tmp/)', () => {
  it('a write that fails for want of space (EFBIG under ulimit -f) leaves no partial file in tmp/', async () => {
    // A real failing write: the child may write at most 1 block; SIGXFSZ ignored, so write(2) returns EFBIG.
    const module = new URL('../../dist/core/store/maildir-store.js', import.meta.url).href;
    const script = `process.on('SIGXFSZ', () => {});
      const { MaildirStore } = await import(${JSON.stringify(module)});
      const store = new MaildirStore(${JSON.stringify(root)});
      await store.ensureMaildir('bob');
      try { await store.deliver('bob', Buffer.alloc(200000, 'a')); console.log('stored'); } catch (error) { console.log(error.code); }`;
    const child = spawn('sh', ['-c', `ulimit -f 1 && exec "${process.execPath}" --input-type=module -e "$0"`, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    expect(output.trim()).toBe('EFBIG');
    expect(readdirSync(join(root, 'bob', 'tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'bob', 'new'))).toEqual([]);
  });

  it('sweeps files older than 36 hours from every tmp/ and keeps younger ones', async () => {
    mkdirs('alice');
    mkdirs('bob');
    const now = Date.now();
    const old = (hours: number) => new Date(now - hours * 3600 * 1000);
    writeFileSync(join(root, 'alice', 'tmp', 'crashed'), 'partial');
    utimesSync(join(root, 'alice', 'tmp', 'crashed'), old(37), old(37));
    writeFileSync(join(root, 'bob', 'tmp', 'in-progress'), 'being written');
    utimesSync(join(root, 'bob', 'tmp', 'in-progress'), old(35), old(35));
    writeFileSync(join(root, 'bob', 'new', 'old-but-delivered'), 'Subject: kept\r\n\r\n');
    utimesSync(join(root, 'bob', 'new', 'old-but-delivered'), old(100), old(100));
    const removed = await store.sweepTemporary(undefined, now);
    expect(removed).toEqual([join(root, 'alice', 'tmp', 'crashed')]);
    expect(readdirSync(join(root, 'alice', 'tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'bob', 'tmp'))).toEqual(['in-progress']);
    expect(readdirSync(join(root, 'bob', 'new'))).toEqual(['old-but-delivered']);
  });
});

describe('maildrop lock', () => {
  it('is exclusive while held and free again after release', async () => {
    const first = await open('alice');
    const second = await store.openMaildrop('alice');
    expect(second).toMatchObject({ ok: false, reason: 'in-use' });
    // Another store instance in the same process sees the lock too.
    expect(await new MaildirStore(root).openMaildrop('alice')).toMatchObject({ ok: false, reason: 'in-use' });
    expect(existsSync(join(root, 'alice', LOCK_FILE))).toBe(true);
    await first.release();
    expect(existsSync(join(root, 'alice', LOCK_FILE))).toBe(false);
    const third = await open('alice');
    await third.release();
  });

  it('respects a lock held by another live process, and takes over once that process is killed', async () => {
    await store.ensureMaildir('alice');
    const lockPath = join(root, 'alice', LOCK_FILE);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const { hostname } = await import('node:os');
    writeFileSync(lockPath, `${child.pid}@${hostname()}\n`);
    expect(await store.openMaildrop('alice')).toMatchObject({ ok: false, reason: 'in-use' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const maildrop = await open('alice');
    expect(readFileSync(lockPath, 'utf8')).toBe(`${process.pid}@${hostname()} start=${startTimeOf(process.pid)} boot=${BOOT_ID}\n`);
    await maildrop.release();
  });

  it('takes over a lock whose pid now belongs to an unrelated live process (a reused pid)', async () => {
    await store.ensureMaildir('alice');
    const lockPath = join(root, 'alice', LOCK_FILE);
    const child = await liveProcess();
    const { hostname } = await import('node:os');
    // The pid is alive, but it started at another time than the lock's owner did.
    writeFileSync(lockPath, `${child.pid}@${hostname()} start=${Number(startTimeOf(child.pid!)) + 1} boot=${BOOT_ID}\n`);
    const maildrop = await open('alice');
    expect(readFileSync(lockPath, 'utf8')).toMatch(new RegExp(`^${process.pid}@`));
    await maildrop.release();
  });

  it('takes over a lock written before a reboot even when its pid is alive now', async () => {
    await store.ensureMaildir('alice');
    const child = await liveProcess();
    const { hostname } = await import('node:os');
    writeFileSync(join(root, 'alice', LOCK_FILE), `${child.pid}@${hostname()} start=${startTimeOf(child.pid!)} boot=00000000-0000-4000-8000-000000000000\n`);
    const maildrop = await open('alice');
    await maildrop.release();
  });

  it('respects a lock whose pid, start time and boot id all match a live process', async () => {
    await store.ensureMaildir('alice');
    const child = await liveProcess();
    const { hostname } = await import('node:os');
    writeFileSync(join(root, 'alice', LOCK_FILE), `${child.pid}@${hostname()} start=${startTimeOf(child.pid!)} boot=${BOOT_ID}\n`);
    expect(await store.openMaildrop('alice')).toMatchObject({ ok: false, reason: 'in-use' });
  });

  it('treats a lock file with garbage in it as stale', async () => {
    await store.ensureMaildir('alice');
    writeFileSync(join(root, 'alice', LOCK_FILE), 'not a lock\n');
    const maildrop = await open('alice');
    await maildrop.release();
  });
});

describe('users file', () => {
  it('parses name:password lines, skips comments and reports bad lines with their number', () => {
    const { users, problems } = parseUsers('# comment\nalice:wonder:land\n\nbob:builder\nnocolon\n../x:y\nbob:again\n');
    expect([...users]).toEqual([['alice', 'wonder:land'], ['bob', 'builder']]);
    expect(problems).toEqual([
      'line 5: expected name:password',
      'line 6: "../x" is not a valid mailbox name (letters, digits, . _ + -)',
      'line 7: user "bob" listed twice',
    ]);
  });

  it('sees every edit at once, even two of the same length within one clock tick', async () => {
    const path = join(root, 'users');
    const users = new UsersFile(path);
    writeFileSync(path, 'alice:one\n');
    expect(await users.secretOf('alice')).toBe('one');
    writeFileSync(path, 'alice:two\n');
    expect(await users.secretOf('alice')).toBe('two');
  });

  it('reuses the parsed file while it is unchanged, and reads it again after an edit that keeps size and mtime', async () => {
    const path = join(root, 'users');
    const users = new UsersFile(path);
    writeFileSync(path, 'alice:one\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // past the two seconds a fresh change is not trusted
    const first = await users.load();
    expect(await users.load()).toBe(first);
    writeFileSync(path, 'alice:two\n');
    utimesSync(path, old, old); // the change time still moves
    expect(await users.secretOf('alice')).toBe('two');
  });
});

/** This boot's id and a process's start time, read here independently of the lock code (proc(5)). */
const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A live process that has nothing to do with maillab's locks. */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

function mkdirs(user: string) {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, user, sub), { recursive: true });
}

describe('reading fast: sizes from the names, one read per message, read-ahead', () => {
  it('reads every message right whether retrieved in order, out of order or twice', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => `Subject: ${i}\r\n\r\n${'x'.repeat(i * 1000)}\r\n.dot line ${i}\r\n`);
    for (const body of bodies) await store.deliver('alice', Buffer.from(body));
    const maildrop = await open('alice');
    for (const index of [0, 1, 2, 4, 3, 3, 5, 0]) {
      expect(Buffer.from(await maildrop.read(index)).toString(), `message ${index}`).toBe(bodies[index]);
    }
    await maildrop.release();
  });

  it('reads every message right when the next one was read ahead while the client was busy', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => `Subject: ${i}\r\n\r\n${'y'.repeat(i * 700)}\r\n.dot line ${i}\r\n`);
    for (const body of bodies) await store.deliver('alice', Buffer.from(body));
    const maildrop = await open('alice');
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    for (const index of [0, 1, 2, 4, 3, 3, 5, 0, 1]) {
      expect(Buffer.from(await maildrop.read(index)).toString(), `message ${index}`).toBe(bodies[index]);
      await tick(); // the event loop is free: the message after this one is read now
    }
    await maildrop.release();
  });

  it('reads the next small message ahead once the event loop is free, and a large one only when asked', async () => {
    const bodies = ['Subject: one\r\n\r\nbody\r\n', 'Subject: two\r\n\r\nbody\r\n', `Subject: large\r\n\r\n${'z'.repeat(200 * 1024)}\r\n`];
    const ids: string[] = [];
    for (const body of bodies) ids.push(await store.deliver('alice', Buffer.from(body)));
    const maildrop = await open('alice');
    // Each message's file by the id its delivery returned (names do not sort as the messages do).
    const fileOf = (id: string) => readdirSync(join(root, 'alice', 'new')).find((name) => name.startsWith(`${id},`))!;
    const [, second, third] = ids.map(fileOf);
    await maildrop.read(0);
    await new Promise((resolve) => setImmediate(resolve));
    // Other software takes message 2 away: it was read ahead already, so the client still gets it.
    expect(readAheadBytes()).toBe(bodies[1]!.length);
    rmSync(join(root, 'alice', 'new', second!));
    expect(Buffer.from(await maildrop.read(1)).toString()).toBe(bodies[1]);
    expect(readAheadBytes()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    // Message 3 is over the read-ahead limit: gone before it was asked for, it cannot be served.
    rmSync(join(root, 'alice', 'new', third!));
    await expect(maildrop.read(2)).rejects.toThrow();
    await maildrop.release();
  });

  it('holds at most one message read ahead per session, and lets it go at release', async () => {
    for (let i = 0; i < 3; i++) await store.deliver('alice', Buffer.from(`Subject: ${i}\r\n\r\n${'w'.repeat(1000)}\r\n`));
    const maildrop = await open('alice');
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await maildrop.read(0);
    await tick();
    await maildrop.read(2); // not the one read ahead: that one is dropped, and nothing follows message 3
    await tick();
    expect(readAheadBytes()).toBe(0);
    await maildrop.read(0);
    await tick();
    expect(readAheadBytes()).toBeGreaterThan(1000);
    await maildrop.release();
    expect(readAheadBytes()).toBe(0);
  });

  it('reads the whole file when the ",S=" in its name is wrong either way', async () => {
    mkdirs('bob');
    writeFileSync(join(root, 'bob', 'new', '1000000001.M1P1.x,S=3,W=3'), 'Subject: longer than the name says\r\n');
    writeFileSync(join(root, 'bob', 'new', '1000000002.M1P1.x,S=999,W=999'), 'short\r\n');
    writeFileSync(join(root, 'bob', 'new', '1000000003.M1P1.x,S=4,W=4'), 'a\nb\n');
    const maildrop = await open('bob');
    expect(Buffer.from(await maildrop.read(0)).toString()).toBe('Subject: longer than the name says\r\n');
    expect(Buffer.from(await maildrop.read(1)).toString()).toBe('short\r\n');
    expect(Buffer.from(await maildrop.read(2)).toString()).toBe('a\r\nb\r\n');
    await maildrop.release();
  });

  it('lists a sized name only if it is a file (or a link to one), without reading it', async () => {
    mkdirs('bob');
    mkdirSync(join(root, 'bob', 'new', '1000000001.M1P1.dir,S=5,W=5'));
    writeFileSync(join(root, 'target'), 'linked\r\n');
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(root, 'target'), join(root, 'bob', 'new', '1000000002.M1P1.link,S=8,W=8'));
    writeFileSync(join(root, 'bob', 'new', '1000000003.M1P1.file,S=4,W=42'), 'abc\n');
    const maildrop = await open('bob');
    expect(maildrop.messages.map((m) => [m.uid, m.size])).toEqual([
      ['1000000002.M1P1.link', 8],
      ['1000000003.M1P1.file', 42], // the size is taken from ",W=" as before, not measured
    ]);
    expect(Buffer.from(await maildrop.read(0)).toString()).toBe('linked\r\n');
    // The count after UPDATE sees the same two: the link is followed, the directory is not a message.
    expect((await maildrop.update({ deleted: [], seen: [] })).remaining).toBe(2);
    await maildrop.release();
  });

  it('orders messages delivered in the same second by the rest of the name, numerically', async () => {
    mkdirs('bob');
    for (const name of ['1000000000.M10P1.h', '1000000000.M9P1.h', '999999999.M99P1.h', '1000000000.M100P1.h']) writeFileSync(join(root, 'bob', 'new', name), 'x\r\n');
    const maildrop = await open('bob');
    expect(maildrop.messages.map((m) => m.uid)).toEqual(['999999999.M99P1.h', '1000000000.M9P1.h', '1000000000.M10P1.h', '1000000000.M100P1.h']);
    await maildrop.release();
  });

  it('applies many deletions and seen flags at once, reporting failures in order', async () => {
    for (let i = 0; i < 40; i++) await store.deliver('alice', Buffer.from(`message ${i}\r\n`));
    const maildrop = await open('alice');
    const uids = maildrop.messages.map((m) => m.uid);
    // UPDATE names messages by their position in the maildrop.
    const positions = uids.map((_, i) => i);
    const gone = positions.filter((i) => i % 2 === 0);
    // Two of them vanish under us (another program deleted them).
    for (const index of [gone[3]!, gone[7]!]) rmSync(join(root, 'alice', 'new', readdirSync(join(root, 'alice', 'new')).find((n) => n.startsWith(uids[index]!))!));
    const result = await maildrop.update({ deleted: gone, seen: positions.filter((i) => i % 2 === 1) });
    await maildrop.release();
    expect(result).toEqual({ deleted: 18, failed: [gone[3], gone[7]], remaining: 20 });
    expect(readdirSync(join(root, 'alice', 'new'))).toEqual([]);
    expect(readdirSync(join(root, 'alice', 'cur')).map((n) => n.split(',')[0]).sort()).toEqual(uids.filter((_, i) => i % 2 === 1).sort());
    expect(readdirSync(join(root, 'alice', 'cur')).every((n) => n.endsWith(':2,S'))).toBe(true);
  });

  it('leaves a message flagged seen in an earlier session where it is', async () => {
    mkdirs('bob');
    writeFileSync(join(root, 'bob', 'cur', '1000000001.M1P1.x,S=3,W=3:2,FS'), 'x\r\n');
    const maildrop = await open('bob');
    await maildrop.update({ deleted: [], seen: [0] });
    await maildrop.release();
    expect(readdirSync(join(root, 'bob', 'cur'))).toEqual(['1000000001.M1P1.x,S=3,W=3:2,FS']);
  });
});

describe('delivery with a prefix (Return-Path) kept apart from the message', () => {
  const stored = (user: string) => {
    const [name] = readdirSync(join(root, user, 'new'));
    return { name: name!, bytes: readFileSync(join(root, user, 'new', name!)) };
  };

  for (const [label, size] of [['a small message', 300], ['a message too large to be joined in memory', 300 * 1024]] as const) {
    it(`stores exactly prefix + message in wire format, with matching sizes: ${label}`, async () => {
      const line = 'text\n.dot\r\nmore\n';
      const message = Buffer.from(`\nSubject: parts\r\n\r\n${line.repeat(Math.ceil(size / line.length))}no final newline`);
      const prefix = Buffer.from('Return-Path: <a@b.test>\r\n');
      await store.deliver('alice', message, prefix);
      const { name, bytes } = stored('alice');
      expect(bytes.equals(toWireFormat(Buffer.concat([prefix, message])))).toBe(true);
      expect(name).toContain(`,S=${bytes.length},W=${bytes.length}`);
      const maildrop = await open('alice');
      expect(maildrop.messages[0]!.size).toBe(bytes.length);
      expect(Buffer.from(await maildrop.read(0)).equals(bytes)).toBe(true);
      await maildrop.release();
    });
  }

  it('joins a prefix that does not end its line before converting', async () => {
    await store.deliver('alice', Buffer.from('\nrest\n'.repeat(30000)), Buffer.from('X-Odd: no line end'));
    expect(stored('alice').bytes.equals(toWireFormat(Buffer.from(`X-Odd: no line end${'\nrest\n'.repeat(30000)}`)))).toBe(true);
  });

  it('recreates a Maildir removed after an earlier delivery', async () => {
    await store.deliver('alice', Buffer.from('first\r\n'));
    rmSync(join(root, 'alice'), { recursive: true, force: true });
    await store.deliver('alice', Buffer.from('second\r\n'));
    expect(stored('alice').bytes.toString()).toBe('second\r\n');
  });
});

describe('group commit of the new/ directory sync', () => {
  /** A fake sync that logs when each run starts and ends, and can be made to fail; a held run ends when the test lets it. */
  function fakeSync() {
    const log: string[] = [];
    let runs = 0;
    let failNext = false;
    let held: Promise<void> | undefined;
    let release = () => {};
    const sync = async () => {
      const run = ++runs;
      log.push(`start ${run}`);
      if (held) await held;
      else await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${run}`);
      if (failNext) {
        failNext = false;
        throw new Error(`sync ${run} failed`);
      }
    };
    return {
      log,
      sync,
      failNext: () => (failNext = true),
      runs: () => runs,
      /** Runs from now on wait until `release()`. */
      hold: () => (held = new Promise<void>((resolve) => (release = () => {
        held = undefined;
        resolve();
      }))),
      release: () => release(),
    };
  }

  it('lets callers share a run that starts after their call, and queues later callers behind the running one', async () => {
    const fake = fakeSync();
    const commit = groupCommit(fake.sync);
    const settled = (name: string) => () => fake.log.push(`${name} done`);
    fake.hold();
    const first = [commit().then(settled('a')), commit().then(settled('b'))];
    await until(() => fake.log.length > 0, 'run 1 to start', 2000, { pollMs: 1 });
    expect(fake.log).toEqual(['start 1']);
    const second = [commit().then(settled('c')), commit().then(settled('d'))];
    fake.release();
    await Promise.all([...first, ...second]);
    expect(fake.runs()).toBe(2);
    // c and d called while run 1 ran: they waited for run 2, which started after run 1 ended.
    expect(fake.log).toEqual(['start 1', 'end 1', 'a done', 'b done', 'start 2', 'end 2', 'c done', 'd done']);
  });

  it('rejects the callers of a failed run, and the next run works again', async () => {
    const fake = fakeSync();
    const commit = groupCommit(fake.sync);
    fake.failNext();
    const failed = [commit(), commit()];
    for (const promise of failed) await expect(promise).rejects.toThrow('sync 1 failed');
    await expect(commit()).resolves.toBeUndefined();
  });

  it('delivers 40 messages at once, every one stored in new/ and none left in tmp/', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => store.deliver('alice', Buffer.from(`message ${i}\r\n`))));
    expect(new Set(ids).size).toBe(40);
    expect(readdirSync(join(root, 'alice', 'new'))).toHaveLength(40);
    expect(readdirSync(join(root, 'alice', 'tmp'))).toEqual([]);
  });
});
