/**
 * Dovecot's POP3 server (Debian dovecot-pop3d) as a peer maillab did not
 * write, run from a self-contained config in a temp folder (see docs/TEST-PEERS.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCertificate } from '../../core/net/tls-certificate.js';
import { freePort, waitForPort } from './peer-ports.js';

export const DOVECOT = '/usr/sbin/dovecot';

export interface DovecotPeer {
  pop3Port: number;
  pop3sPort: number;
  root: string;
  /** Drops a message into a user's Maildir new/ (owned by the mail user, as Dovecot needs). */
  addMessage(user: string, name: string, content: string): void;
  stop(): Promise<void>;
}

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT);
}


function mailIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'mail']).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', 'mail']).stdout.toString().trim());
  return { uid, gid };
}

export async function startDovecot(users: Record<string, string>): Promise<DovecotPeer> {
  const root = mkdtempSync(join(tmpdir(), 'maillab-dovecot-'));
  chmodSync(root, 0o755); // the mail user must traverse it (PEERS.md)
  const { uid, gid } = mailIds();
  const mail = join(root, 'mail');
  const run = join(root, 'run');
  for (const dir of [mail, run, join(root, 'state'), join(root, 'index'), join(root, 'control')]) mkdirSync(dir, { recursive: true });
  for (const dir of [mail, join(root, 'index'), join(root, 'control')]) chownSync(dir, uid, gid);
  for (const user of Object.keys(users)) {
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(mail, user, sub), { recursive: true });
    for (const path of [join(mail, user), ...['tmp', 'new', 'cur'].map((sub) => join(mail, user, sub))]) chownSync(path, uid, gid);
  }
  const cert = await ensureCertificate(join(root, 'tls'), 'localhost');
  const passwd = join(root, 'passwd');
  writeFileSync(passwd, Object.entries(users).map(([user, secret]) => `${user}:{PLAIN}${secret}`).join('\n') + '\n');
  const pop3Port = await freePort();
  const pop3sPort = await freePort();
  const config = join(root, 'dovecot.conf');
  writeFileSync(
    config,
    `base_dir = ${run}
state_dir = ${join(root, 'state')}
log_path = ${join(root, 'dovecot.log')}
info_log_path = ${join(root, 'dovecot.log')}
protocols = pop3
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login apop cram-md5
ssl = yes
ssl_cert = <${cert.certPath}
ssl_key = <${cert.keyPath}
mail_location = maildir:${mail}/%u:INDEX=${root}/index/%u:CONTROL=${root}/control/%u
default_internal_user = mail
first_valid_uid = 1
first_valid_gid = 1
default_login_user = mail
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mail}/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3sPort}
    ssl = yes
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await waitForPort('dovecot', pop3Port, () => output, child, 10_000);
  return {
    pop3Port,
    pop3sPort,
    root,
    addMessage(user, name, content) {
      const path = join(mail, user, 'new', name);
      writeFileSync(path, content);
      chownSync(path, uid, gid);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
