/** The users file on disk, behind the directory interface (./user-directory.ts). */
import { promises as fs } from 'node:fs';
import { parseUsers, type ParsedUsers, type UserDirectory } from './user-directory.js';

/** Reads the file on each look-up (it is small), so edits apply without a restart. */
export class UsersFile implements UserDirectory {
  constructor(private readonly path: string) {}

  async load(): Promise<ParsedUsers> {
    return parseUsers(await fs.readFile(this.path, 'utf8'));
  }

  async secretOf(user: string): Promise<string | undefined> {
    return (await this.load()).users.get(user);
  }

  async all(): Promise<ReadonlyMap<string, string>> {
    return (await this.load()).users;
  }
}
