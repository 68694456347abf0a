/**
 * Stale locks and leftovers (issue 19 item 12): a lock whose owner cannot be
 * checked (another host's, or an old-format `pid@host` naming a live pid) is
 * respected while its holder keeps touching it and taken over once it has
 * not been touched for the stale age; the outbound queue's tmp/ is swept.
 * Real files in a temp folder; ages are set with utimes, not waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_FILE, STALE_LOCK_MS } from '../../core/store/maildrop-lock.js';
import { OutboundQueue } from '../../core/store/outbound-queue.js';

let root: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'maillab-locks-'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

async function liveProcess(): Promise<number> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

/** Writes a lock with `owner` in it, last touched `ageMs` ago. */
function lockWith(owner: string, ageMs: number): string {
  const path = join(root, LOCK_FILE);
  writeFileSync(path, `${owner}\n`);
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

describe('locks whose owner cannot be checked are judged by age', () => {
  it('an old-format pid@host lock naming a live pid: respected while fresh, taken over once stale', async () => {
    const pid = await liveProcess();
    lockWith(`${pid}@${hostname()}`, 1000);
    expect(await acquireLock(root)).toBeUndefined();
    const path = lockWith(`${pid}@${hostname()}`, STALE_LOCK_MS + 60_000);
    const lock = await acquireLock(root);
    expect(lock).toBeDefined();
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid}@`));
    await lock!.release();
  });

  it("another host's lock: respected while fresh, taken over once stale", async () => {
    lockWith('4242@other-host.example start=123 boot=0000-1111', 1000);
    expect(await acquireLock(root)).toBeUndefined();
    lockWith('4242@other-host.example start=123 boot=0000-1111', STALE_LOCK_MS + 60_000);
    const lock = await acquireLock(root);
    expect(lock).toBeDefined();
    await lock!.release();
  });

  it('the age limit is the one given', async () => {
    lockWith('4242@other-host.example', 5_000);
    expect(await acquireLock(root, { staleAfterMs: 60_000 })).toBeUndefined();
    const lock = await acquireLock(root, { staleAfterMs: 1_000 });
    expect(lock).toBeDefined();
    await lock!.release();
  });

  it('a held lock is fresh: a new lock starts with the current time', async () => {
    const lock = await acquireLock(root);
    expect(Date.now() - statSync(join(root, LOCK_FILE)).mtimeMs).toBeLessThan(STALE_LOCK_MS);
    await lock!.release();
  });
});

describe("the outbound queue's tmp/", () => {
  it('sweeps files older than 36 hours and keeps younger ones and complete entries', async () => {
    const folder = join(root, 'queue');
    mkdirSync(join(folder, 'tmp'), { recursive: true });
    const now = Date.now();
    const aged = (path: string, hours: number) => utimesSync(path, new Date(now - hours * 3600_000), new Date(now - hours * 3600_000));
    writeFileSync(join(folder, 'tmp', 'crashed.eml'), 'partial');
    aged(join(folder, 'tmp', 'crashed.eml'), 37);
    writeFileSync(join(folder, 'tmp', 'recent.json'), '{');
    aged(join(folder, 'tmp', 'recent.json'), 1);
    const queue = new OutboundQueue(folder);
    await queue.enqueue({ id: 'q1', from: 'alice@maillab.test', recipients: ['x@example.org'], queuedAt: new Date(now).toISOString(), attempts: 0 }, Buffer.from('Subject: q\r\n\r\n'));
    aged(join(folder, 'q1.eml'), 100);
    expect(await queue.sweepTemporary(undefined, now)).toEqual([join(folder, 'tmp', 'crashed.eml')]);
    expect(readdirSync(join(folder, 'tmp'))).toEqual(['recent.json']);
    expect((await queue.list()).map((entry) => entry.id)).toEqual(['q1']);
  });
});
