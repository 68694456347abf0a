/**
 * Who the users are: the directory interface the engines' backends ask, the
 * users file's format (one `name:password` a line, `#` starts a comment) and
 * a directory in memory. Secrets are kept in the clear because APOP and
 * CRAM-MD5 need the shared secret itself (RFC 1939 §7, RFC 2195 §2) — this is
 * a teaching lab, not a production server. Reading the file from disk is
 * ./users-file.ts.
 */
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
