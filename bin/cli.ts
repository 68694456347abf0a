/**
 * `maillab` subcommands. Option parsing for every subcommand lives here, so
 * later listeners (SMTP, submission, web) slot into the same `serve` definition.
 * Heavy modules are imported inside actions to keep `--help` fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ConnectCliOptions, LessonPlayOptions, ListenerPort, SendCliOptions, ServeOptions } from './cli-options.js';
import type { ExplainCliOptions } from './explain.js';
import { fail } from './fail.js';
import { exitHelp } from '../core/models/exit-status.js';

export async function main(argv: string[]): Promise<void> {
  // `maillab lesson list | head`: a reader that goes away is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    fail(error);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    fail(error);
  }
}

export function buildProgram(): Command {
  const program = new Command('maillab')
    .description('An interactive teaching terminal for the mail protocols POP3 and SMTP')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`maillab: ${text.replace(/^error: /, '')}`) });

  program
    .command('serve')
    .description('run the lab: POP3, POP3S, SMTP, submission and SMTPS listeners on a Maildir data folder')
    .addOption(new Option('--host <address>', 'address to listen on (0.0.0.0 for every interface)').default('127.0.0.1'))
    .addOption(new Option('--data <dir>', 'data folder: users file, Maildirs, TLS certificate (created with demo content if missing)').default('./maillab-data'))
    .addOption(new Option('--pop3-port <port>', 'POP3 port, plaintext with STLS ("off" to disable)').default(1110).argParser(parsePort))
    .addOption(new Option('--pop3s-port <port>', 'POP3S port, implicit TLS ("off" to disable)').default(1995).argParser(parsePort))
    .addOption(new Option('--smtp-port <port>', 'SMTP port for incoming mail: local delivery only, never relays ("off" to disable)').default(2525).argParser(parsePort))
    .addOption(new Option('--submission-port <port>', 'submission port: AUTH required, STARTTLS (RFC 6409) ("off" to disable)').default(2587).argParser(parsePort))
    .addOption(new Option('--smtps-port <port>', 'submission over implicit TLS (RFC 8314) ("off" to disable)').default(2465).argParser(parsePort))
    .addOption(new Option('--domain <domain>', 'a local mail domain (repeat for several; default maillab.test and localhost)').argParser(collectDomain))
    .addOption(new Option('--max-message-size <octets>', 'largest message accepted (SMTP SIZE, RFC 1870)').default(10 * 1024 * 1024).argParser(parseCount))
    .addOption(new Option('--max-bytes-in-flight <octets>', 'message bytes held in memory at once across all SMTP sessions; a message past it gets 452 4.3.1 (try later)').default(256 * 1024 * 1024).argParser(parseCount))
    .addOption(new Option('--hostname <name>', 'server name in greetings, APOP timestamps and the certificate').default('maillab.test'))
    .option('--allow-plaintext-auth', 'accept passwords outside TLS from non-loopback clients too (always allowed from loopback)', false)
    .addOption(new Option('--idle-timeout <seconds>', 'close POP3 and SMTP sessions idle this long; 0: never (default: 600 for POP3, RFC 1939 asks at least 600; 300 for SMTP, RFC 5321 section 4.5.3.2.7)').argParser(parseSeconds))
    .addOption(new Option('--pre-auth-timeout <seconds>', 'close sessions idle this long before a login (POP3 before PASS/APOP/AUTH, submission before AUTH, SMTP before EHLO); applies even with --idle-timeout 0').default(60).argParser(parseSeconds))
    .addOption(new Option('--login-deadline <seconds>', 'close a session that has not logged in this long after connecting, however busy it keeps (0: none)').default(180).argParser(parseSeconds))
    .addOption(new Option('--login-delay <seconds>', 'minimum time between logins of one user (RFC 2449 LOGIN-DELAY)').default(0).argParser(parseSeconds))
    .addOption(new Option('--max-connections <n>', 'cap on open connections').default(200).argParser(parseCount))
    .addOption(new Option('--max-connections-per-ip <n>', 'cap on open connections from one address').default(20).argParser(parseCount))
    .option('--dns <host:port>', 'DNS server for the MX look-ups of queued mail to other domains (default: the system\'s)')
    .addOption(new Option('--mx-port <port>', 'port to deliver queued mail to on MX hosts').default(25).argParser(parseServerPort))
    .option('--deliver-outbound <list>', 'let authenticated users send to other domains, and deliver it (off by default): domains ("*" for any), and addresses or ranges the queue may reach even when loopback, private or link-local (repeat or comma-separate); demo logins never relay while --host is beyond loopback', collectValue)
    .addOption(new Option('--dns-port <port>', 'also run a tiny DNS server (UDP) publishing MX records for the lab\'s domains, for send --direct --dns HOST:PORT (0: any free port)').argParser(parseDnsPort))
    .option('--fault <rule>', 'misbehave on purpose: answer, drop or delay a command (repeat for several; syntax below)', collectValue)
    .option('-v, --verbose', 'print every session as an annotated transcript (message bodies folded after 20 lines)', false)
    .addOption(new Option('--web-port <port>', 'the browser classroom: page and WebSocket bridge ("off" to disable)').default(8025).argParser(parsePort))
    .option('--allow-remote <host[:port],...>', 'servers outside the lab the web page may connect to (default: none)', collectValue)
    .option('--web-name <name>', 'another host name learners use to reach the page, e.g. a DNS name (repeat for several)', collectValue)
    .option('--trust-proxy <address>', 'a reverse proxy (its IP address) whose X-Forwarded-For / Forwarded header names the learner (repeat for several)', collectValue)
    .option('--class-code <code>', 'a code the page asks each learner for before it opens anything (for a classroom open to the network)')
    .addHelpText(
      'after',
      `
Fault rules (--fault) make the lab misbehave on purpose, for lessons on error handling:
  [pop3:|smtp:]COMMAND -> "REPLY" | drop | delay MS   [after N] [probability P]
A reply is sent instead of handling the command (\\n between the lines of a multi-line SMTP reply,
\\" for a quote; a 421 closes the connection); drop closes the connection without a reply; delay
handles the command but answers MS milliseconds late. "after N" lets the first N matching commands
of each session through; "probability P" (0 < P <= 1) applies the fault at random.

Examples:
  maillab serve --fault 'RCPT -> "450 4.2.1 Mailbox busy" after 1'
  maillab serve --fault 'pop3:RETR -> drop' --fault 'MAIL -> delay 2000 probability 0.5'

Outbound delivery (--deliver-outbound) is off by default: submission refuses recipients in other
domains with 550 5.7.1. When on, only the domains listed are accepted, and the queue never connects
to loopback, link-local (cloud metadata), private or other special addresses unless they are listed:
  maillab serve --deliver-outbound example.org,example.net
  maillab serve --deliver-outbound 'remote.test,127.0.0.2' --dns 127.0.0.1:5353`,
    )
    .action(async (options: ServeOptions) => {
      const { runServe } = await import('./serve.js');
      await runServe(options);
    });

  program
    .command('explain')
    .description('what a command, reply code, enhanced status code, CAPA tag, EHLO keyword or state means, with its RFC section')
    .argument('<thing...>', 'what to explain: RETR, "smtp QUIT", 354, "550 5.1.1 no such user", 5.7.1, "-ERR [IN-USE]", PIPELINING, TRANSACTION')
    .option('--json', 'print the catalogue entries as JSON', false)
    .allowUnknownOption()
    .addHelpText(
      'after',
      `
Names both protocols share (QUIT, AUTH, PIPELINING) and names that are a command and a state (DATA)
give every entry; put pop3 or smtp in front to choose one. Exits 1 when nothing matches.

Examples:
  maillab explain 354
  maillab explain 5.7.1
  maillab explain "550 5.1.1 no such user"
  maillab explain "-ERR [IN-USE]"
  maillab explain PIPELINING
  maillab explain TRANSACTION
  maillab explain pop3 QUIT`,
    )
    .action(async (thing: string[], options: ExplainCliOptions) => {
      const { runExplain } = await import('./explain.js');
      runExplain(thing, options);
    });

  program
    .command('connect')
    .description('a raw client: talk POP3 or SMTP to any server, every line annotated')
    .argument('<url>', 'pop3://host[:port], pop3s://…, smtp://… or smtps://… (default ports 110, 995, 25, 465)')
    .option('--starttls', 'upgrade to TLS first (SMTP: EHLO + STARTTLS, POP3: STLS)', false)
    .option('--insecure', 'accept a certificate that does not verify (self-signed labs); the session is marked UNVERIFIED', false)
    .option('--ca-file <file>', 'trust the CA(s) in this PEM file instead of the system\'s (NODE_EXTRA_CA_CERTS=FILE adds to them instead)')
    .option('--servername <name>', 'the name sent in TLS SNI and checked against the certificate (default: the URL\'s host)')
    .addOption(new Option('--tls-min <version>', 'the oldest TLS version accepted').choices(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']))
    .option('--force-auth', 'send credentials (AUTH with a response, /plain) even when the server did not offer that AUTH', false)
    .option('--pipeline', 'from a script: send commands in batches, when the server offers PIPELINING (else one reply at a time)', false)
    .option('--json', 'print one JSON event per line instead of the annotated transcript', false)
    .option('--show-bytes', 'show CR/LF as symbols, flag bare LF, dot-stuffing and continuation lines', false)
    .option('--save <file>', 'save the transcript as <file> (C:/S: lines, secrets masked) and <file>.json (events)')
    .addOption(new Option('--timeout <seconds>', 'give up when a reply takes longer than this').default(30).argParser(parseSeconds))
    .addOption(annotationsOption())
    .addHelpText(
      'after',
      `
On a terminal, type protocol lines; /help lists local meta-commands (/plain, /apop, /cram, /b64, /decode, /bytes,
/annotations, /more, /show, /save). A long message or listing is folded after a screenful: /more shows the next
lines, /show N body N whole. Without a terminal, commands are read from stdin, each sent after the previous reply,
every line the server sends is printed, and the session ends at end of input.

Wrong port? A greeting of the other protocol, HTTP or TLS bytes end the session at once (status 21). A server that
sends no greeting within 1 s is checked on a second connection (nothing you typed is sent): a port that completes a
TLS handshake (pop3:// on a pop3s port: try pop3s://) or answers as a web server ends the session at once (21);
otherwise maillab waits up to --timeout for the greeting.

TLS: the certificate must verify for the host (or --servername); every problem is listed (self-signed, wrong name,
expired). --ca-file FILE trusts a private CA; NODE_EXTRA_CA_CERTS=FILE adds a CA to the system's. --insecure goes on
without verification, and the prompt, the transcript and --save say UNVERIFIED. A failed STARTTLS/STLS handshake ends
the session at once (status 29). Credentials (AUTH with a response, /plain) go only to a server that offered that
AUTH mechanism; otherwise maillab says why and what to do (usually STARTTLS first); /plain! or --force-auth insists.
--json prints each event with its time ("at") and ends with {"kind":"exit","status":N}.

${exitHelp('connect')}

Examples:
  maillab connect pop3://127.0.0.1:1110
  maillab connect smtp://127.0.0.1:2587 --starttls --insecure
  printf 'USER alice\\nPASS wonderland\\nSTAT\\nQUIT\\n' | maillab connect pop3://127.0.0.1:1110`,
    )
    .action(async (url: string, options: ConnectCliOptions) => {
      const { runConnect } = await import('./connect.js');
      await runConnect(url, options);
    });

  program
    .command('tui')
    .description('the terminal classroom: type POP3/SMTP against the in-process sandbox, a real server or a lesson, with the state machine and every line explained')
    .argument('[url]', 'pop3://host[:port], pop3s://, smtp://, smtps:// for a real server, or pop3|smtp|submission for a sandbox server (default: the sandbox POP3 server)')
    .option('--starttls', 'a real server: upgrade to TLS first (SMTP: EHLO + STARTTLS, POP3: STLS)', false)
    .option('--insecure', 'a real server: accept a certificate that does not verify (self-signed labs); the status bar says TLS UNVERIFIED', false)
    .option('--ca-file <file>', 'a real server: trust the CA(s) in this PEM file instead of the system\'s (NODE_EXTRA_CA_CERTS=FILE adds to them)')
    .option('--servername <name>', 'a real server: the name sent in TLS SNI and checked against the certificate')
    .addOption(new Option('--tls-min <version>', 'a real server: the oldest TLS version accepted').choices(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']))
    .option('--lesson <id>', 'start with this lesson (maillab lesson list)')
    .addOption(new Option('--mode <mode>', 'with --lesson: watch, step or practice').choices(['watch', 'step', 'practice']).default('step'))
    .option('--dir <folder>', 'read lessons from this folder instead of the lessons/ of the maillab package')
    .addOption(new Option('--timeout <seconds>', 'a real server: give up when a reply takes longer than this').default(30).argParser(parseSeconds))
    .addHelpText(
      'after',
      `
Keys: Enter sends, Tab completes the commands valid in this state, Up/Down browse the history
(kept in $XDG_CONFIG_HOME/maillab/history), Shift-Up/Down or PgUp/PgDn select a line to explain,
Esc back to the latest, Ctrl-O folds or unfolds a message body, Ctrl-C twice or /quit leaves.
Meta-commands run locally and never reach the server: /help /connect /sandbox /lesson /explain
/save /clear /annotations /quit (and /plain /b64 /apop /cram /decode). Needs a terminal; for
scripts and pipes use maillab connect.

Examples:
  maillab tui
  maillab tui pop3://127.0.0.1:1110
  maillab tui smtp://127.0.0.1:2587 --starttls --insecure
  maillab tui --lesson rfc1939-s10 --mode practice`,
    )
    .action(async (url: string | undefined, options: import('./tui.js').TuiCliOptions) => {
      const { runTuiCommand } = await import('./tui.js');
      await runTuiCommand(url, options);
    });

  program
    .command('annotate')
    .description('explain existing logs line by line: a session (RFC-style C:/S:, swaks, curl -v) or a Postfix/Dovecot log')
    .argument('<files...>', 'the log files, read in order ("-" for stdin): a client\'s log and the server\'s together')
    .addOption(new Option('--format <format>', 'the log format (detected when left out)').choices(['rfc', 'swaks', 'curl', 'maillog']))
    .addOption(new Option('--protocol <protocol>', 'the protocol of a session log (detected from the first server line when left out)').choices(['pop3', 'smtp']))
    .option('--json', 'print one JSON event per line', false)
    .addOption(annotationsOption())
    .addHelpText(
      'after',
      `
Formats it reads:
  rfc      "C: " / "S: " lines (RFC examples, maillab connect --save)
  swaks    swaks output: -> <- (~> <~ inside TLS, <** <~* error replies), "=== TLS started with cipher …",
           "=== TLS peer DN=…", "*** …" complaints
  curl     curl -v output (2>&1): > < lines, "* SSL connection using …" and the certificate's verify
           result, "} [N bytes data]" (message data outside TLS; TLS records inside TLS, left out),
           the progress meter cut off, a POP3 listing or message curl wrote to stdout
  maillog  Postfix (syslog or maillog_file) and Dovecot (syslog or log_path) lines: rejects, relay
           refusals, lost connections, TLS and SASL failures, logins, deliveries; each explained with
           what it means and what to check; given with a client's log, the server line that explains
           a refusal is also shown right after the reply the client got

Examples:
  swaks --to bob@example.com --server mx.example.com 2>&1 | maillab annotate -
  curl -v smtp://mx.example.com ... 2> log.txt; maillab annotate log.txt
  maillab annotate swaks.log /var/log/mail.log`,
    )
    .action(async (files: string[], options: { format?: 'rfc' | 'swaks' | 'curl' | 'maillog'; protocol?: 'pop3' | 'smtp'; json: boolean; annotations: 'full' | 'brief' | 'off' }) => {
      const { runAnnotate } = await import('./annotate.js');
      await runAnnotate(files, options);
    });

  program
    .command('send')
    .description('compose a message (MIME) and send it with maillab\'s SMTP client: to one server, or directly to each domain\'s MX hosts')
    .option('--from <address>', 'the sender (From: header and MAIL FROM)')
    .option('--to <address>', 'a recipient (repeat for several)', collectValue)
    .option('--cc <address>', 'a copy recipient (repeat for several)', collectValue)
    .option('--subject <text>', 'the Subject (non-ASCII is encoded per RFC 2047)')
    .option('--body <text>', 'the text body')
    .option('--body-file <file>', 'read the text body from a UTF-8 file')
    .addOption(new Option('--charset <name>', 'charset of the body (and a non-ASCII subject) on the wire, e.g. utf-8, iso-8859-1, gb2312 (strict: a character only GBK has is refused; use gbk), shift_jis').default('utf-8'))
    .option('--subject-charset <name>', 'charset of the subject\'s RFC 2047 encoded words (default: --charset when it holds the subject, else utf-8)')
    .option('--attach <file>', 'attach a file (repeat for several)', collectValue)
    .option('--html <file>', 'an HTML version of the body (UTF-8 file; multipart/alternative)')
    .option('--server <url>', 'send through this server: smtp://host[:port] (default 25) or smtps://host[:port] (default 465)')
    .option('--starttls', 'with --server: require STARTTLS (RFC 3207); with --direct: require it instead of using it when offered', false)
    .option('--auth <user:password>', 'with --server: log in with AUTH PLAIN or LOGIN, whichever the server offers; only over TLS that verified, unless --insecure')
    .option('--insecure', 'accept a TLS certificate that does not verify (self-signed labs), and let --auth log in over such a connection or without TLS, with a warning first', false)
    .option('--ca-file <file>', 'trust the CA(s) in this PEM file instead of the system\'s (NODE_EXTRA_CA_CERTS=FILE adds to them instead)')
    .option('--servername <name>', 'the name sent in TLS SNI and checked against the certificate (default: the server\'s host)')
    .addOption(new Option('--tls-min <version>', 'the oldest TLS version accepted').choices(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']))
    .option('--direct', 'deliver like an MTA: look up each recipient domain\'s MX records and try its hosts in order', false)
    .option('--dns <host:port>', 'with --direct: ask this DNS server instead of the system\'s (e.g. 127.0.0.1:5353)')
    .addOption(new Option('--mx-port <port>', 'with --direct: the port to connect to on every MX host (default 25)').argParser(parseServerPort))
    .option('--helo <name>', 'the name to give in EHLO/HELO (default: this machine\'s name)')
    .addOption(new Option('--timeout <seconds>', 'give up on a connection or a reply after this long').default(120).argParser(parseCount))
    .option('--transcript', 'print the annotated SMTP exchange before the results', false)
    .option('--json', 'print one JSON event per line instead: the exchange, one result per recipient, then {"kind":"exit","status":N}; each with its time ("at")', false)
    .addHelpText(
      'after',
      `
Prints one line per recipient (accepted, rejected or deferred, with the server's reply);
exits 0 only when every recipient was accepted. A server that sends no greeting within 1 s is checked
like maillab connect does (an implicit-TLS port, a web server). With --auth the password goes only over
TLS whose certificate verified (STARTTLS is then required); --insecure allows an unverified or plaintext
connection, and says so before the password is sent.

${exitHelp('send')}

Examples:
  maillab send --from alice@maillab.test --to bob@maillab.test --subject Hi --body 'Hello Bob' \\
      --server smtp://127.0.0.1:2587 --auth alice:wonderland --ca-file maillab-data/tls/cert.pem --transcript
  maillab send --from alice@maillab.test --to bob@maillab.test --body-file note.txt --charset gb2312 \\
      --attach photo.png --html note.html --server smtps://127.0.0.1:2465 --auth alice:wonderland --insecure
  maillab send --from me@example.org --to someone@example.net --body hi --direct --dns 127.0.0.1:5353 --mx-port 2525`,
    )
    .action(async (options: SendCliOptions) => {
      const { runSend } = await import('./send.js');
      await runSend(options);
    });

  addLessonCommands(program);

  program.addHelpText(
    'after',
    `
Where to start:
  maillab lesson list                 the lessons, beginners first
  maillab lesson play beginner-01-path-of-a-message
                                      watch the first (or --mode step, practice)
  maillab serve                       run the lab; then, in another terminal:
  maillab connect pop3://127.0.0.1:1110
                                      talk POP3 to it (login alice/wonderland)
  maillab explain 354                 what a command, reply or code means`,
  );

  return program;
}

/** `maillab lesson list | play | check` (bin/lesson.ts). */
function addLessonCommands(program: Command): void {
  const lesson = program
    .command('lesson')
    .description('RFC example sessions as lessons: list them, play them, check that they replay byte for byte');
  const dirOption = () => new Option('--dir <folder>', 'read lessons from this folder instead of the lessons/ of the maillab package');
  lesson
    .command('list')
    .description('one lesson a line: id, title, protocol, RFC, mode')
    .addOption(dirOption())
    .action(async (options: { dir?: string }) => {
      const { runLessonList } = await import('./lesson.js');
      await runLessonList(options);
    });
  lesson
    .command('play')
    .description('play a lesson: watch it (timed; without a terminal, printed at once), step through it, or practise typing it')
    .argument('<id>', 'the lesson id (maillab lesson list)')
    .addOption(new Option('--mode <mode>', 'watch, step (one line per key press) or practice (you type the client lines)').choices(['watch', 'step', 'practice']).default('watch'))
    .addOption(new Option('--speed <lines-per-second>', 'watch mode: lines a second (space pauses, + and - change it)').default(2).argParser(parseSpeed))
    .addOption(annotationsOption())
    .addOption(dirOption())
    .action(async (id: string, options: LessonPlayOptions) => {
      const { runLessonPlay } = await import('./lesson.js');
      await runLessonPlay(id, options);
    });
  lesson
    .command('check')
    .description('replay lessons in process and over TCP; exits 0 only if every server line matches byte for byte')
    .argument('[id...]', 'the lessons to check (all when none is given)')
    .addOption(new Option('--timeout <seconds>', 'over TCP: how long to wait for a line the lesson expects').default(3).argParser(parseCount))
    .addOption(dirOption())
    .action(async (ids: string[], options: { timeout: number; dir?: string }) => {
      const { runLessonCheck } = await import('./lesson.js');
      await runLessonCheck(ids, options);
    });
}

function annotationsOption(): Option {
  return new Option('--annotations <level>', 'how much to explain: full (the first time, short after), brief (one short line each), off (mostly the wire; warnings stay)')
    .choices(['full', 'brief', 'off'])
    .default('full');
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(speed > 0)) throw new InvalidArgumentError('expected a speed in lines per second, like 2 or 0.5.');
  return speed;
}

function collectValue(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseServerPort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InvalidArgumentError('expected a port number 1-65535.');
  return Number(value);
}

function parseDnsPort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number 0-65535.');
  return Number(value);
}

function parsePort(value: string): ListenerPort {
  if (value === 'off') return 'off';
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number 0-65535 or "off".');
  return Number(value);
}

function collectDomain(value: string, previous: string[] | undefined): string[] {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value)) {
    throw new InvalidArgumentError('expected a domain name like example.test.');
  }
  return [...(previous ?? []), value.toLowerCase()];
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds.');
  return Number(value);
}

function parseCount(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
}
