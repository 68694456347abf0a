// The disk's own limit for durable deliveries, with no SMTP at all: writers that each
// open a file in tmp/, write 4 KB, fsync, close, rename into new/, and wait for a
// directory sync begun after their rename, shared by group commit (maillab's own
// groupCommit, so exactly the steps of its Maildir delivery). Messages per second.
import { promises as fs } from 'node:fs';
import { closeSync, fsync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { groupCommit } from '../../dist/core/store/durable-write.js';

const fsyncAsync = promisify(fsync);

export async function fsyncCeiling(parent, { writers = 20, total = 1000, size = 4096 } = {}) {
  const dir = mkdtempSync(join(parent, 'maillab-bench-fsync-'));
  await fs.mkdir(join(dir, 'tmp'));
  await fs.mkdir(join(dir, 'new'));
  const body = Buffer.alloc(size, 'x');
  let next = 0;
  const syncNew = groupCommit(async () => {
    const folder = await fs.open(join(dir, 'new'), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  });
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < total) {
      // The same calls as MaildirStore.deliver for a message under 128 KB: synchronous create,
      // write, close and rename; the fsyncs on the thread pool.
      const name = `m${next++}`;
      const fd = openSync(join(dir, 'tmp', name), 'wx', 0o600);
      writeSync(fd, body);
      await fsyncAsync(fd);
      closeSync(fd);
      renameSync(join(dir, 'tmp', name), join(dir, 'new', name));
      await syncNew();
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(dir, { recursive: true, force: true });
  return total / seconds;
}
