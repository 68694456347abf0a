// A private Dovecot POP3 server (Debian dovecot-pop3d) serving an existing Maildir
// root, from its own configuration in a temporary folder; loopback only, stopped by PID.
// See /work/shared/PEERS.md and test/helpers/dovecot.ts.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.mjs';

export const DOVECOT = '/usr/sbin/dovecot';

export function mailIds() {
  const id = (flag) => Number(spawnSync('id', [flag, 'mail']).stdout.toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Serves `mailRoot/<user>` Maildirs for `users` ({ name: password }). */
export async function startDovecot(mailRoot, users) {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install dovecot-pop3d (see bench/README.md)`);
  const root = mkdtempSync(join(tmpdir(), 'maillab-bench-dovecot-'));
  chmodSync(root, 0o755);
  const { uid, gid } = mailIds();
  for (const dir of ['run', 'state', 'index', 'control']) mkdirSync(join(root, dir));
  for (const dir of ['index', 'control']) chownSync(join(root, dir), uid, gid);
  const passwd = join(root, 'passwd');
  writeFileSync(passwd, Object.entries(users).map(([user, secret]) => `${user}:{PLAIN}${secret}`).join('\n') + '\n');
  const port = await freePort();
  const config = join(root, 'dovecot.conf');
  writeFileSync(config, `base_dir = ${join(root, 'run')}
state_dir = ${join(root, 'state')}
log_path = ${join(root, 'dovecot.log')}
info_log_path = ${join(root, 'dovecot.log')}
protocols = pop3
listen = 127.0.0.1
disable_plaintext_auth = no
ssl = no
mail_location = maildir:${mailRoot}/%u:INDEX=${root}/index/%u:CONTROL=${root}/control/%u
default_internal_user = mail
default_login_user = mail
first_valid_uid = 1
first_valid_gid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mailRoot}/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${port}
  }
  process_limit = 200
}
service pop3 {
  process_limit = 200
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
`);
  const child = spawn(DOVECOT, ['-F', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await waitForPort(port, () => output, child);
  return {
    port,
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
