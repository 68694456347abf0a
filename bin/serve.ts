/** `maillab serve`: runs the lab until SIGINT or SIGTERM. */
import { resolve } from 'node:path';
import { DEMO_USERS } from '../core/lab/data-folder.js';
import { formatFaultRule, parseFaultRule } from '../core/faults/parse-fault.js';
import { DEFAULT_LAB_CONFIG, startLab } from '../core/lab/lab-server.js';
import { escapeLines } from '../core/escape-text.js';
import { isDnsServerSpec } from '../core/send/mx.js';
import { describeOutbound, parseOutboundList } from '../core/send/outbound-policy.js';
import { listensOnLoopbackOnly } from '../core/lab/relay-rules.js';
import type { ListenerPort, ServeOptions } from './cli-options.js';
import { fail } from './fail.js';
import { startLabDns, type LabDns } from '../core/net/lab-dns.js';
import { UserFacingError } from '../core/errors.js';
import { UsersFile } from '../core/store/users-file.js';
import { OwnConnections } from '../core/net/own-connections.js';
import { VerbosePrinters } from './verbose-printers.js';
import { hostPort } from '../core/host-port.js';

/**
 * --verbose shows this many lines of a message (a RETR, a DATA or BDAT body), then "... N more lines not shown":
 * enough for the header and the start of the text, without one large message flooding an operator's log.
 */
export const VERBOSE_BODY_LINES = 20;

export async function runServe(options: ServeOptions): Promise<void> {
  if (options.dns !== undefined && !isDnsServerSpec(options.dns)) fail(`--dns "${options.dns}" is not an address like 127.0.0.1:5353`);
  if (options.webPort !== 'off' && (options.trustProxy !== undefined || options.classCode !== undefined)) {
    const { classroomOptionProblem } = await import('../web/server/start-classroom.js');
    const problem = classroomOptionProblem(options);
    if (problem) fail(problem);
  }
  const outbound = options.deliverOutbound === undefined ? undefined : parseOutboundList(options.deliverOutbound);
  if (outbound && !outbound.ok) fail(`--deliver-outbound: ${outbound.reason}`);
  const faults = (options.fault ?? []).map((text) => {
    const parsed = parseFaultRule(text);
    if (!parsed.ok) fail(`--fault "${text}": ${parsed.reason}`);
    return parsed.rule;
  });
  const printers = new VerbosePrinters({ foldAfter: VERBOSE_BODY_LINES });
  // The classroom's tabs connect to the lab over loopback: the lab counts them against its global cap only.
  const ownConnections = new OwnConnections();
  let lab;
  try {
    lab = await startLab({
      ...DEFAULT_LAB_CONFIG,
      host: options.host,
      dataDir: resolve(options.data),
      pop3Port: portOrNull(options.pop3Port),
      pop3sPort: portOrNull(options.pop3sPort),
      smtpPort: portOrNull(options.smtpPort),
      submissionPort: portOrNull(options.submissionPort),
      smtpsPort: portOrNull(options.smtpsPort),
      domains: options.domain ?? DEFAULT_LAB_CONFIG.domains,
      maxMessageSize: options.maxMessageSize,
      maxBytesInFlight: options.maxBytesInFlight,
      hostname: options.hostname,
      allowPlaintextAuth: options.allowPlaintextAuth,
      // One --idle-timeout for both protocols; without it each keeps its RFC's minimum.
      idleTimeoutMs: options.idleTimeout !== undefined ? options.idleTimeout * 1000 : DEFAULT_LAB_CONFIG.idleTimeoutMs,
      smtpTimeoutMs: options.idleTimeout !== undefined ? options.idleTimeout * 1000 : DEFAULT_LAB_CONFIG.smtpTimeoutMs,
      preAuthTimeoutMs: options.preAuthTimeout * 1000,
      loginDeadlineMs: options.loginDeadline * 1000,
      loginDelaySeconds: options.loginDelay,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerIp,
      ownConnections,
      mxPort: options.mxPort,
      ...(outbound?.ok ? { outbound: outbound.policy } : {}),
      ...(options.dns !== undefined ? { dnsServer: options.dns } : {}),
      ...(faults.length > 0 ? { faults } : {}),
      // Log lines carry peer text (a remote server's reply, a file name dropped into new/): escaped like transcripts.
      onQueueLog: options.verbose ? (text) => process.stdout.write(`[queue] ${escapeLines(text)}\n`) : undefined,
      onStoreLog: (text) => process.stdout.write(`[store] ${escapeLines(text)}\n`),
      onAuthLog: (text) => process.stdout.write(`[auth] ${escapeLines(text)}\n`),
      onEvent: options.verbose
        ? (listener, connection, { event }) => {
            const tag = `${listener}#${connection}`;
            for (const text of printers.print(tag, event)) process.stdout.write(`[${tag}] ${text}\n`);
          }
        : // Without --verbose, still one line for each failure of maillab's own (or its store): never a silent [SYS/TEMP].
          (listener, connection, { event }) => {
            if (event.kind === 'error' && (event.code === 'INTERNAL' || event.code === 'STORE_FAILED' || event.code === 'DELIVERY_FAILED')) {
              process.stderr.write(`[${listener}#${connection}] ${event.code === 'INTERNAL' ? 'internal error' : 'store error'}: ${event.message.split('\n')[0]}\n`);
            }
          },
      onConnection: options.verbose
        ? (listener, connection, remote, open) => {
            if (!open) printers.forget(`${listener}#${connection}`);
            process.stdout.write(`[${listener}#${connection}] ${open ? `connected from ${escapeLines(remote)}` : 'closed'}\n`);
          }
        : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`cannot listen: address already in use (${inUse(error as NodeJS.ErrnoException & { address?: string; port?: number })}); pick other ports with --pop3-port, --pop3s-port, --smtp-port, --submission-port, --smtps-port`);
    if (code === 'EACCES' && (error as NodeJS.ErrnoException).syscall === 'listen') fail(`cannot listen: permission denied (${(error as Error).message}); ports below 1024 need privileges`);
    // Anything else that stops the start names its path and what is wrong (core/lab/data-folder.ts words most of them).
    if ((error as NodeJS.ErrnoException).path !== undefined && !(error instanceof UserFacingError)) fail(`cannot start: ${(error as NodeJS.ErrnoException).path}: ${(error as Error).message}`);
    fail(error);
  }
  if (lab.data.created) process.stdout.write(`created data folder ${lab.data.root} with demo users and messages\n`);
  if (lab.certificateCreated) process.stdout.write(`generated a self-signed TLS certificate in ${lab.data.tlsFolder}\n`);
  for (const listener of lab.listeners) process.stdout.write(`ready: ${listener.url} — ${listener.description}\n`);
  // On every start: the logins to try. Demo users whose password is still the demo one are shown with it; others by name.
  const names = lab.data.userNames ?? Object.keys(DEMO_USERS);
  const demo = await demoLogins(lab.data.usersPath);
  const logins = names.map((user) => (demo.has(user) ? `${user}/${demo.get(user)}` : user)).join(', ');
  process.stdout.write(`${demo.size > 0 ? 'demo logins' : 'users'}: ${logins}${demo.size < names.length ? ` (passwords in ${lab.data.usersPath})` : ''}\n`);
  for (const problem of lab.data.userProblems ?? []) process.stdout.write(`users file ${lab.data.usersPath}: ${problem}\n`);
  process.stdout.write(`local mail domains: ${(options.domain ?? DEFAULT_LAB_CONFIG.domains).join(', ')}\n`);
  process.stdout.write(`${describeOutbound(outbound?.ok ? outbound.policy : undefined)}\n`);
  if (outbound?.ok && !listensOnLoopbackOnly(options.host)) process.stdout.write(`  demo logins send to the local domains only: the lab listens on ${options.host}, beyond loopback\n`);
  for (const rule of faults) process.stdout.write(`fault rule, in every session: ${formatFaultRule(rule)}\n`);
  let dns: LabDns | undefined;
  if (options.dnsPort !== undefined) {
    const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
    try {
      dns = await startLabDns({ host, port: options.dnsPort, domains: options.domain ?? DEFAULT_LAB_CONFIG.domains, mailHost: options.hostname, mailAddress: host });
    } catch (error) {
      await lab.close();
      fail(`cannot run the DNS server on ${hostPort(host, options.dnsPort)}: ${(error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use; pick another with --dns-port' : (error as Error).message}`);
    }
    process.stdout.write(`ready: dns://${dns.address} — lab DNS (UDP): ${dns.records.join('; ')}\n`);
    process.stdout.write(`  try: maillab send --direct --dns ${dns.address} --mx-port ${lab.listeners.find((listener) => listener.name === 'smtp')?.port ?? 2525} --from you@example.org --to alice@maillab.test --body hi\n`);
  }
  let classroom: { close(): Promise<void> } | undefined;
  if (options.webPort !== 'off') {
    const { startClassroom } = await import('../web/server/start-classroom.js');
    try {
      const started = await startClassroom({
        host: options.host,
        port: options.webPort,
        listeners: lab.listeners,
        allowRemote: options.allowRemote ?? [],
        webNames: options.webName ?? [],
        logins: Object.entries(DEMO_USERS).map(([user, password]) => ({ user, password })),
        hostname: options.hostname,
        domains: options.domain ?? DEFAULT_LAB_CONFIG.domains,
        ownConnections,
        labMaxConnections: options.maxConnections,
        ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
        ...(options.classCode !== undefined ? { classCode: options.classCode } : {}),
        // Refusals always (a few lines per address); connection events with --verbose. Peer-chosen text is escaped.
        warn: (text: string) => process.stdout.write(`[web] ${escapeLines(text)}\n`),
        ...(options.verbose ? { log: (text: string) => process.stdout.write(`[web] ${escapeLines(text)}\n`) } : {}),
      });
      classroom = started.server;
      for (const line of started.lines) process.stdout.write(`${line}\n`);
    } catch (error) {
      await lab.close();
      await dns?.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') fail(`cannot listen for the web page: port ${options.webPort} is in use; pick another with --web-port, or --web-port off`);
      fail(error);
    }
  }
  process.stdout.write('maillab is running; press Ctrl-C to stop\n');
  const stop = async (signal: string) => {
    process.stdout.write(`${signal}: stopping; open sessions end without UPDATE\n`);
    await classroom?.close();
    await lab.close();
    await dns?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** The demo users whose password in the users file is still the demo one. */
async function demoLogins(usersPath: string): Promise<Map<string, string>> {
  const users = await new UsersFile(usersPath).all().catch(() => new Map<string, string>());
  return new Map(Object.entries(DEMO_USERS).filter(([user, secret]) => users.get(user) === secret));
}

/** "off" turns a listener off. */
function portOrNull(port: ListenerPort): number | null {
  return port === 'off' ? null : port;
}

/** The address and port Node says are in use, IPv6 in brackets ("[::1]:2525"). */
function inUse(error: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  return error.address !== undefined ? hostPort(error.address, error.port) : error.message.replace(/^listen EADDRINUSE: address already in use /, '');
}
