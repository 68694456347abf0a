/** The users file on disk, behind the directory interface (./user-directory.ts). */
import { promises as fs } from 'node:fs';
import { parseUsers, type ParsedUsers, type UserDirectory } from './user-directory.js';

/** Reads the file on each look-up (it is small), so edits apply without a restart. */
export class UsersFile implements UserDirectory {
  constructor(private readonly path: string) {}

  async load(): Promise<ParsedUsers> {
    // The path in the message: a log line that says only "EISDIR" does not tell an admin which file.
    const text = await fs.readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the users file ${this.path}: ${error.code ?? error.message}`, { cause: error });
    });
    return parseUsers(text);
  }

  async secretOf(user: string): Promise<string | undefined> {
    return (await this.load()).users.get(user);
  }

  async all(): Promise<ReadonlyMap<string, string>> {
    return (await this.load()).users;
  }
}
