/**
 * What each Postfix and Dovecot log message means, as data: a pattern over the
 * message (after the syslog prefix), the key of its words in
 * core/annotations/messages/en/server-log.json, and the facts the words use,
 * taken from the pattern's named groups. Formats as Postfix 3.x (smtpd,
 * cleanup, qmgr, smtp/local) and Dovecot 2.3 (auth, *-login, pop3) write
 * them; the fixtures in test/fixtures/logs are real lines.
 */

export interface ServerLogRule {
  /** Which daemon writes it: "postfix" matches postfix/smtpd, postfix/qmgr, … */
  daemon: 'postfix' | 'dovecot';
  pattern: RegExp;
  /** The key of its words in server-log.json (not a catalogue key); a function when it depends on what matched. */
  words: string | ((groups: Record<string, string>) => string);
}

/** "host[1.2.3.4]" or "unknown[2001:db8::1]" */
const CLIENT = String.raw`(?<client>(?<host>[^\s\[]+)\[(?<ip>[^\]\s]+)\](?::\d+)?)`;
const QUEUE_ID = String.raw`(?<queueId>[0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,})`;

/** Which reject a reject's text is, from Postfix's own wording of each restriction. */
function rejectKey(groups: Record<string, string>): string {
  const reason = groups.reason ?? '';
  if (/Relay access denied/i.test(reason)) return 'postfix.reject.relay';
  if (/User unknown|Recipient address rejected: .*unknown/i.test(reason)) return 'postfix.reject.unknown-user';
  if (/size exceeds|Message size/i.test(reason)) return 'postfix.reject.size';
  if (/Authentication required/i.test(reason)) return 'postfix.reject.auth-required';
  if (/blocked using/i.test(reason)) return 'postfix.reject.blocklist';
  if (/Helo command rejected/i.test(reason)) return 'postfix.reject.helo';
  if (/Sender address rejected/i.test(reason)) return 'postfix.reject.sender';
  if (/Client host rejected/i.test(reason)) return 'postfix.reject.client';
  return 'postfix.reject';
}

export const SERVER_LOG_RULES: readonly ServerLogRule[] = [
  // postfix/smtpd: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 554 5.7.1 <v@example.net>: Relay access denied; from=<a@b> to=<v@example.net> proto=ESMTP helo=<vm>
  {
    daemon: 'postfix',
    pattern: new RegExp(
      String.raw`^(?:NOQUEUE|${QUEUE_ID}): reject: (?<stage>[\w-]+) from ${CLIENT}: (?<code>\d{3}) (?:(?<enhanced>\d\.\d{1,3}\.\d{1,3}) )?(?<reason>.*?)(?:;(?: from=<(?<from>[^>]*)>)?(?: to=<(?<to>[^>]*)>)?(?: proto=(?<proto>\S+))?(?: helo=<(?<helo>[^>]*)>)?)?$`,
    ),
    words: rejectKey,
  },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^lost connection after (?<stage>[\w-]+)(?: \((?<detail>[^)]*)\))? from ${CLIENT}`), words: (g) => (g.stage === 'STARTTLS' || g.stage === 'DATA' ? `postfix.lost-connection.${g.stage}` : 'postfix.lost-connection') },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^timeout after (?<stage>[\w-]+)(?: \([^)]*\))? from ${CLIENT}`), words: 'postfix.timeout' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^too many errors after (?<stage>[\w-]+)(?: \([^)]*\))? from ${CLIENT}`), words: 'postfix.too-many-errors' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^improper command pipelining after (?<stage>[\w-]+) from ${CLIENT}: (?<detail>.*)$`), words: 'postfix.improper-pipelining' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^warning: ${CLIENT}: SASL (?<method>[\w-]+) authentication failed: (?<reason>.*?)(?:, sasl_username=(?<user>.*))?$`), words: 'postfix.sasl-failed' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^SSL_accept error from ${CLIENT}: (?<detail>.*)$`), words: 'postfix.ssl-accept-error' },
  { daemon: 'postfix', pattern: /^warning: TLS library problem: (?<detail>.*)$/, words: 'postfix.tls-library' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^warning: ${QUEUE_ID}: queue file size limit exceeded`), words: 'postfix.size-limit' },
  { daemon: 'postfix', pattern: /^(?:fatal|panic): (?<detail>.*)$/, words: 'postfix.fatal' },
  { daemon: 'postfix', pattern: /^warning: (?<detail>.*)$/, words: 'postfix.warning' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^connect from ${CLIENT}$`), words: 'postfix.connect' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^disconnect from ${CLIENT}(?<counts>(?: [\w-]+=\d+(?:/\d+)?)*)$`), words: 'postfix.disconnect' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^${QUEUE_ID}: client=${CLIENT}(?:, sasl_method=(?<method>[\w-]+))?(?:, sasl_username=(?<user>.*))?$`), words: 'postfix.queued' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^${QUEUE_ID}: (?:resent-)?message-id=(?<detail>.*)$`), words: 'postfix.cleanup' },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^${QUEUE_ID}: from=<(?<from>[^>]*)>, size=(?<size>\d+), nrcpt=(?<nrcpt>\d+)`), words: 'postfix.qmgr-active' },
  {
    daemon: 'postfix',
    pattern: new RegExp(String.raw`^${QUEUE_ID}: to=<(?<to>[^>]*)>,(?: orig_to=<[^>]*>,)? relay=(?<relay>[^,]+),.*? dsn=(?<dsn>[\d.]+), status=(?<status>sent|deferred|bounced|expired) \((?<detail>.*)\)$`),
    words: (g) => `postfix.delivery.${g.status}`,
  },
  { daemon: 'postfix', pattern: new RegExp(String.raw`^${QUEUE_ID}: removed$`), words: 'postfix.removed' },
  { daemon: 'postfix', pattern: /^(?<detail>daemon started .*|starting the Postfix mail system)$/, words: 'postfix.started' },

  // auth: Info: passwd-file(alice,127.0.0.1,<DuS0QRVi9NN/AAAB>): Password mismatch
  { daemon: 'dovecot', pattern: /^auth(?:-worker)?(?:\(\d+\))?: (?:Info: )?(?<passdb>[\w-]+)\((?<user>[^,)]*),(?<ip>[^,)]+)(?:,[^)]*)?\): Password mismatch/, words: 'dovecot.password-mismatch' },
  { daemon: 'dovecot', pattern: /^auth(?:-worker)?(?:\(\d+\))?: (?:Info: )?(?<passdb>[\w-]+)\((?<user>[^,)]*),(?<ip>[^,)]+)(?:,[^)]*)?\): unknown user/, words: 'dovecot.unknown-user' },
  // pop3-login: Info: Disconnected: Connection closed (auth failed, 1 attempts in 2 secs): user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured, session=<…>
  {
    daemon: 'dovecot',
    pattern: /^(?<service>[\w-]+)-login: (?:Info: )?(?:Disconnected|Aborted login)[^(]*\(auth failed, (?<attempts>\d+) attempts?(?: in \d+ secs?)?\): user=<(?<user>[^>]*)>, method=(?<method>[\w-]+), rip=(?<ip>[^,]+), lip=[^,]+(?<rest>.*)$/,
    words: 'dovecot.login-auth-failed',
  },
  { daemon: 'dovecot', pattern: /^(?<service>[\w-]+)-login: (?:Info: )?(?:Disconnected|Aborted login)[^(]*\(tried to use disallowed plaintext auth\).*?rip=(?<ip>[^,]+)/, words: 'dovecot.login-plaintext-disallowed' },
  { daemon: 'dovecot', pattern: /^(?<service>[\w-]+)-login: (?:Info: )?(?:Disconnected|Aborted login)[^(]*\((?<reason>[^)]*)\).*?rip=(?<ip>[^,]+).*?TLS handshaking: (?<detail>.*?)(?:, session=<[^>]*>)?$/, words: 'dovecot.login-tls-failed' },
  { daemon: 'dovecot', pattern: /^(?<service>[\w-]+)-login: (?:Info: )?(?:Disconnected|Aborted login)[^(]*\((?<detail>[^)]*)\).*?rip=(?<ip>[^,]+)/, words: 'dovecot.login-no-auth' },
  { daemon: 'dovecot', pattern: /^(?<service>[\w-]+)-login: (?:Info: )?Login: user=<(?<user>[^>]*)>, method=(?<method>[\w-]+), rip=(?<ip>[^,]+), lip=[^,]+, mpid=(?<mpid>\d+)(?<rest>.*)$/, words: 'dovecot.login' },
  {
    daemon: 'dovecot',
    pattern: /^pop3\((?<user>[^)]*)\)(?:<[^>]*>)*: (?:Info: )?Disconnected: (?<reason>[^:]*?) top=(?<top>\d+\/\d+), retr=(?<retr>\d+\/\d+), del=(?<del>\d+\/\d+), size=(?<size>\d+)/,
    words: 'dovecot.pop3-logout',
  },
  { daemon: 'dovecot', pattern: /^(?<service>[\w-]+)(?:\([^)]*\))?(?:<[^>]*>)*: (?:Error|Fatal|Panic): (?<detail>.*)$/, words: 'dovecot.error' },
];
