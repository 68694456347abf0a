/**
 * A real Postfix smtpd (Debian's postfix package) as a peer maillab did not
 * write, for its log lines: its own master from a private config folder in a
 * temp folder (`postfix -c DIR start`), smtpd on 127.0.0.1 and a free port,
 * STARTTLS with a self-signed certificate, no relay for clients that did not
 * log in, and its log in a file of that folder (maillog_file, through
 * postlogd). See docs/TEST-PEERS.md.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCertificate } from '../../core/net/tls-certificate.js';
import { freePort, waitForPort } from './peer-ports.js';

export const POSTFIX = '/usr/sbin/postfix';

export interface PostfixPeer {
  port: number;
  /** Postfix's log so far. */
  log(): string;
  /** Resolves once the log holds a line matching `pattern`; rejects after `timeoutMs` with the log. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}


/** The master.cf services smtpd needs, and postlogd for maillog_file (master(5) columns: service type private unpriv chroot wakeup maxproc command). */
const SERVICES = [
  'pickup unix n - n 60 1 pickup',
  'cleanup unix n - n - 0 cleanup',
  'qmgr unix n - n 300 1 qmgr',
  'tlsmgr unix - - n 1000? 1 tlsmgr',
  'rewrite unix - - n - - trivial-rewrite',
  'bounce unix - - n - 0 bounce',
  'defer unix - - n - 0 bounce',
  'trace unix - - n - 0 bounce',
  'verify unix - - n - 1 verify',
  'flush unix n - n 1000? 0 flush',
  'proxymap unix - - n - - proxymap',
  'smtp unix - - n - - smtp',
  'relay unix - - n - - smtp',
  'showq unix n - n - - showq',
  'error unix - - n - - error',
  'retry unix - - n - - error',
  'discard unix - - n - - discard',
  'local unix - n n - - local',
  'anvil unix - - n - 1 anvil',
  'scache unix - - n - 1 scache',
  'postlog unix-dgram n - n - 1 postlogd',
];

export async function startPostfix(): Promise<PostfixPeer> {
  const root = mkdtempSync(join(tmpdir(), 'maillab-postfix-'));
  chmodSync(root, 0o755); // Postfix's processes run as the postfix user and must traverse it (PEERS.md)
  const [config, queue, data] = ['etc', 'queue', 'data'].map((name) => join(root, name)) as [string, string, string];
  for (const dir of [config, queue, data]) mkdirSync(dir);
  const postfixUid = Number(spawnSync('id', ['-u', 'postfix']).stdout.toString().trim());
  chownSync(data, postfixUid, -1);
  const cert = await ensureCertificate(join(root, 'tls'), 'mail.lab.test');
  chmodSync(join(root, 'tls'), 0o755);
  const port = await freePort();
  const maillog = join(root, 'maillog');
  writeFileSync(
    join(config, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${queue}`,
      `data_directory = ${data}`,
      'myhostname = mail.lab.test',
      'mydomain = lab.test',
      'mydestination = lab.test',
      'inet_interfaces = loopback-only',
      'inet_protocols = ipv4',
      'mynetworks =',
      `maillog_file = ${maillog}`,
      `maillog_file_prefixes = ${root}`,
      `smtpd_tls_cert_file = ${cert.certPath}`,
      `smtpd_tls_key_file = ${cert.keyPath}`,
      'smtpd_tls_security_level = may',
      'smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination',
      'alias_maps =',
      'alias_database =',
      'local_recipient_maps =',
      'biff = no',
      '',
    ].join('\n'),
  );
  writeFileSync(join(config, 'master.cf'), [`127.0.0.1:${port} inet n - n - - smtpd`, ...SERVICES, ''].join('\n'));
  const started = spawnSync(POSTFIX, ['-c', config, 'start'], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`postfix did not start: ${started.stderr}${started.stdout}`);
  const log = () => (existsSync(maillog) ? readFileSync(maillog, 'utf8') : '');
  await waitForPort('postfix', port, log, undefined, 10_000);
  return {
    port,
    log,
    async waitForLog(pattern, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(log())) {
        if (Date.now() > until) throw new Error(`Postfix's log has no line matching ${pattern}:\n${log()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return log();
    },
    async stop() {
      spawnSync(POSTFIX, ['-c', config, 'stop'], { encoding: 'utf8' });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

