/**
 * `maillab` subcommands. Option parsing for every subcommand lives here, so
 * later listeners (SMTP, submission, web) slot into the same `serve` definition.
 * Heavy modules are imported inside actions to keep `--help` fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

export async function main(argv: string[]): Promise<void> {
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
    .addOption(new Option('--hostname <name>', 'server name in greetings, APOP timestamps and the certificate').default('maillab.test'))
    .option('--allow-plaintext-auth', 'accept passwords outside TLS from non-loopback clients too (always allowed from loopback)', false)
    .addOption(new Option('--idle-timeout <seconds>', 'close sessions idle this long (RFC 1939 asks for at least 600)').default(600).argParser(parseSeconds))
    .addOption(new Option('--login-delay <seconds>', 'minimum time between logins of one user (RFC 2449 LOGIN-DELAY)').default(0).argParser(parseSeconds))
    .addOption(new Option('--max-connections <n>', 'cap on open connections').default(200).argParser(parseCount))
    .addOption(new Option('--max-connections-per-ip <n>', 'cap on open connections from one address').default(20).argParser(parseCount))
    .option('-v, --verbose', 'print every session as an annotated transcript', false)
    .action(async (options: ServeOptions) => {
      const { runServe } = await import('./serve.js');
      await runServe(options);
    });

  return program;
}

export interface ServeOptions {
  host: string;
  data: string;
  pop3Port: number | null;
  pop3sPort: number | null;
  smtpPort: number | null;
  submissionPort: number | null;
  smtpsPort: number | null;
  domain?: string[];
  maxMessageSize: number;
  hostname: string;
  allowPlaintextAuth: boolean;
  idleTimeout: number;
  loginDelay: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  verbose: boolean;
}

function parsePort(value: string): number | null {
  if (value === 'off') return null;
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

/** One line, no stack trace, non-zero exit (house rule). */
export function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`maillab: ${message}\n`);
  process.exit(1);
}
