/**
 * The users file: one `name:password` a line, `#` starts a comment. Secrets are
 * kept in the clear because APOP and CRAM-MD5 need the shared secret itself
 * (RFC 1939 §7, RFC 2195 §2) — this is a teaching lab, not a production server.
 */
import { promises as fs, statSync } from 'node:fs';
import { isValidMailboxName } from './mail-store.js';

export interface UserDirectory {
  secretOf(user: string): Promise<string | undefined>;
  /** Every user and secret, for recipient checks and VRFY. */
  all(): Promise<ReadonlyMap<string, string>>;
}

export interface ParsedUsers {
  users: Map<string, string>;
  problems: string[];
}

/** Parses the users file; a malformed line is reported with its number, not fatal. */
export function parseUsers(text: string): ParsedUsers {
  const users = new Map<string, string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (colon === -1) problems.push(`line ${index + 1}: expected name:password`);
    else if (!isValidMailboxName(name)) problems.push(`line ${index + 1}: "${name}" is not a valid mailbox name (letters, digits, . _ + -)`);
    else if (users.has(name)) problems.push(`line ${index + 1}: user "${name}" listed twice`);
    else users.set(name, line.slice(colon + 1));
  });
  return { users, problems };
}

/**
 * Checks the file on each look-up, so edits apply without a restart; it is read
 * and parsed again only when a stat shows it changed (one system call per
 * look-up instead of open, fstat, read and close).
 */
export class UsersFile implements UserDirectory {
  private cached: { version: string; parsed: ParsedUsers } | undefined;

  constructor(private readonly path: string) {}

  async load(): Promise<ParsedUsers> {
    // Synchronous: a stat of a cached inode takes microseconds, less than a thread-pool hop.
    const stat = statSync(this.path, { bigint: true });
    const version = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    if (this.cached?.version === version) return this.cached.parsed;
    // Read after the stat: an edit in between makes the next stat differ, so it is read again then.
    const parsed = parseUsers(await fs.readFile(this.path, 'utf8'));
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

export class StaticUsers implements UserDirectory {
  private readonly users: Map<string, string>;
  constructor(users: Record<string, string>) {
    this.users = new Map(Object.entries(users));
  }
  async secretOf(user: string): Promise<string | undefined> {
    return this.users.get(user);
  }
  async all(): Promise<ReadonlyMap<string, string>> {
    return this.users;
  }
}
