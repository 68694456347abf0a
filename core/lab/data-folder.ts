/**
 * The lab's data folder: `users`, `mail/<user>/` Maildirs and `tls/`. A folder
 * that does not exist yet is created with the demo users and alice's demo mail.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { MaildirStore } from '../store/maildir-store.js';
import { demoMessages, DEMO_USERS } from './demo-messages.js';

export { DEMO_USERS } from './demo-messages.js';

export interface DataFolder {
  root: string;
  usersPath: string;
  mailRoot: string;
  tlsFolder: string;
  /** True when this call created the folder with demo content. */
  created: boolean;
}

export function dataPaths(root: string): Omit<DataFolder, 'created'> {
  return { root, usersPath: join(root, 'users'), mailRoot: join(root, 'mail'), tlsFolder: join(root, 'tls') };
}

export async function ensureDataFolder(root: string): Promise<DataFolder> {
  const paths = dataPaths(root);
  let exists = true;
  try {
    await fs.access(root);
  } catch {
    exists = false;
  }
  if (exists) {
    await fs.mkdir(paths.mailRoot, { recursive: true });
    try {
      await fs.access(paths.usersPath);
    } catch {
      throw new Error(`${paths.usersPath} is missing: create it with one "name:password" line per user`);
    }
    return { ...paths, created: false };
  }
  await fs.mkdir(paths.mailRoot, { recursive: true });
  const lines = Object.entries(DEMO_USERS).map(([name, secret]) => `${name}:${secret}`);
  await fs.writeFile(paths.usersPath, `# maillab users: one "name:password" a line; # starts a comment\n${lines.join('\n')}\n`, { mode: 0o600 });
  const store = new MaildirStore(paths.mailRoot);
  for (const user of Object.keys(DEMO_USERS)) await store.ensureMaildir(user);
  for (const message of demoMessages()) await store.deliver('alice', message);
  return { ...paths, created: true };
}
