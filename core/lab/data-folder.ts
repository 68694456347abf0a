/**
 * The lab's data folder: `users`, `mail/<user>/` Maildirs and `tls/`. A folder
 * that does not exist yet is created with the demo users and alice's demo mail.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../errors.js';
import { MaildirStore } from '../store/maildir-store.js';
import { parseUsers } from '../store/user-directory.js';
import { demoMessages, DEMO_USERS } from '../sandbox/demo-messages.js';

export { DEMO_USERS } from '../sandbox/demo-messages.js';

export interface DataFolder {
  root: string;
  usersPath: string;
  mailRoot: string;
  tlsFolder: string;
  /** True when this call created the folder with demo content. */
  created: boolean;
  /** The users file's names, and the lines it could not read (each with its number). */
  userNames?: readonly string[];
  userProblems?: readonly string[];
}

export function dataPaths(root: string): Omit<DataFolder, 'created'> {
  return { root, usersPath: join(root, 'users'), mailRoot: join(root, 'mail'), tlsFolder: join(root, 'tls') };
}

export async function ensureDataFolder(root: string): Promise<DataFolder> {
  const paths = dataPaths(root);
  let exists = true;
  try {
    await fs.stat(root);
  } catch (error) {
    // Only a folder that is not there is created; one that cannot be looked at is named, with why.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserFacingError(`cannot use the data folder ${root}: ${reason(error as NodeJS.ErrnoException)}; maillab needs to read and write it (check its owner and mode, and those of the folders above it)`);
    exists = false;
  }
  if (exists) {
    await usable(paths.root, 'the data folder', 'folder');
    await fs.mkdir(paths.mailRoot, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new UserFacingError(`cannot create ${paths.mailRoot}: ${reason(error)}`);
    });
    await usable(paths.mailRoot, 'the mail folder', 'folder');
    try {
      await fs.access(paths.usersPath);
    } catch {
      throw new UserFacingError(`${paths.usersPath} is missing: create it with one "name:password" line per user`);
    }
    await usable(paths.usersPath, 'the users file', 'file');
    const text = await fs.readFile(paths.usersPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UserFacingError(`cannot read the users file ${paths.usersPath}: ${reason(error)}`);
    });
    const parsed = parseUsers(text);
    if (parsed.users.size === 0) throw new UserFacingError(`the users file ${paths.usersPath} names no user: write one "name:password" line per user${parsed.problems.length > 0 ? ` (${parsed.problems.join('; ')})` : ''}`);
    return { ...paths, created: false, userNames: [...parsed.users.keys()], userProblems: parsed.problems };
  }
  await fs.mkdir(paths.mailRoot, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UserFacingError(`cannot create the data folder ${root}: ${reason(error)} (at ${error.path ?? root}); give --data a folder you can write to`);
  });
  const lines = Object.entries(DEMO_USERS).map(([name, secret]) => `${name}:${secret}`);
  await fs.writeFile(paths.usersPath, `# maillab users: one "name:password" a line; # starts a comment\n${lines.join('\n')}\n`, { mode: 0o600 });
  const store = new MaildirStore(paths.mailRoot);
  for (const user of Object.keys(DEMO_USERS)) await store.ensureMaildir(user);
  for (const message of demoMessages()) await store.deliver('alice', message);
  return { ...paths, created: true };
}

/** Refuses, with the path and what is wrong, a data folder or file maillab cannot use. */
async function usable(path: string, what: string, kind: 'folder' | 'file'): Promise<void> {
  const stat = await fs.stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserFacingError(`cannot use ${what} ${path}: ${reason(error)}`);
  });
  if (kind === 'folder' && !stat.isDirectory()) throw new UserFacingError(`${what} ${path} is not a folder; give --data a folder (or move the file away)`);
  if (kind === 'file' && !stat.isFile()) throw new UserFacingError(`${what} ${path} is not a file; it should hold one "name:password" line per user`);
  const mode = kind === 'folder' ? fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK : fs.constants.R_OK;
  await fs.access(path, mode).catch((error: NodeJS.ErrnoException) => {
    throw new UserFacingError(`cannot use ${what} ${path}: ${reason(error)}; maillab needs to ${kind === 'folder' ? 'read and write it' : 'read it'} (check its owner and mode)`);
  });
}

/** A file-system error in words. */
function reason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return error.message;
  }
}
