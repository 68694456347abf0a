/** The users file on disk, behind the directory interface (./user-directory.ts). */
import { promises as fs, statSync, type BigIntStats } from 'node:fs';
import { parseUsers, type ParsedUsers, type UserDirectory } from './user-directory.js';

/**
 * Checks the file on each look-up, so edits apply without a restart; it is read
 * and parsed again only when a stat shows it changed (one system call per
 * look-up instead of open, fstat, read and close).
 */
export class UsersFile implements UserDirectory {
  private cached: { version: string; parsed: ParsedUsers } | undefined;

  constructor(private readonly path: string) {}

  async load(): Promise<ParsedUsers> {
    // The path in the message: a log line that says only "EISDIR" does not tell an admin which file.
    const unreadable = (error: NodeJS.ErrnoException): never => {
      throw new Error(`cannot read the users file ${this.path}: ${error.code ?? error.message}`, { cause: error });
    };
    // Synchronous: a stat of a cached inode takes microseconds, less than a thread-pool hop.
    let stat: BigIntStats;
    try {
      stat = statSync(this.path, { bigint: true });
    } catch (error) {
      return unreadable(error as NodeJS.ErrnoException);
    }
    const version = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    if (this.cached?.version === version) return this.cached.parsed;
    // Read after the stat: an edit in between makes the next stat differ, so it is read again then.
    const parsed = parseUsers(await fs.readFile(this.path, 'utf8').catch(unreadable));
    // File times tick coarsely (a few ms): two same-length edits within one tick look alike.
    // Like git's "racily clean" entries, a file changed in the last two seconds is not trusted to the cache.
    const changedRecently = BigInt(Date.now()) * 1_000_000n - stat.ctimeNs < 2_000_000_000n;
    this.cached = changedRecently ? undefined : { version, parsed };
    return parsed;
  }

  async secretOf(user: string): Promise<string | undefined> {
    return (await this.load()).users.get(user);
  }

  async all(): Promise<ReadonlyMap<string, string>> {
    return (await this.load()).users;
  }
}
