/**
 * Starts a whole lab from one configuration: the data folder, the certificate
 * and every listener (POP3, POP3S, SMTP MTA, submission, SMTPS). `maillab serve`
 * and the end-to-end tests both use this.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventEnvelope } from '../events.js';
import { AuthPenaltyTable, DEFAULT_AUTH_PENALTY_DELAY } from '../engine/auth-penalty.js';
import type { EngineSettings } from '../engine/engine-settings.js';
import { FaultPlan } from '../faults/fault-plan.js';
import { InFlightBudget } from '../framing/in-flight-budget.js';
import type { FaultRule } from '../faults/fault-rule.js';
import { ConnectionLimiter, isLoopback } from '../net/connection-limiter.js';
import { startListener, type RunningListener } from '../net/listener.js';
import type { OwnConnections } from '../net/own-connections.js';
import { servePop3 } from '../net/pop3-connection.js';
import { serveSmtp } from '../net/smtp-connection.js';
import { ensureCertificate, secureContextOf } from '../net/tls-certificate.js';
import { DEFAULT_POP3_OPTIONS, pop3BaseOptions } from '../pop3/options.js';
import { deliverDirect, type DirectDeliveryOptions } from '../send/direct-delivery.js';
import { nodeDns } from '../send/mx.js';
import { connectionAllowed, deliverAllowed, type OutboundPolicy } from '../send/outbound-policy.js';
import { relayPolicy } from './relay-rules.js';
import { DEFAULT_RETRY_DELAYS_MS, QueueRunner, type QueueClock } from '../send/queue-runner.js';
import { DEFAULT_SMTP_OPTIONS, smtpBaseOptions, type SmtpListenerKind } from '../smtp/options.js';
import { MaildirStore } from '../store/maildir-store.js';
import { OutboundQueue } from '../store/outbound-queue.js';
import { UsersFile } from '../store/users-file.js';
import { ensureDataFolder, type DataFolder } from './data-folder.js';
import { createPop3Backend } from '../store/pop3-backend.js';
import { createSmtpBackend } from './smtp-backend.js';
import { hostPort } from '../host-port.js';

export interface LabConfig {
  host: string;
  dataDir: string;
  /** 0 picks a free port (tests); null turns the listener off. */
  pop3Port: number | null;
  pop3sPort: number | null;
  /** SMTP for incoming mail: local delivery only, no AUTH, never relays. */
  smtpPort: number | null;
  /** Submission (RFC 6409): AUTH required before MAIL. */
  submissionPort: number | null;
  /** Submission over implicit TLS (RFC 8314 §3.3). */
  smtpsPort: number | null;
  /** Mail domains delivered locally. */
  domains: readonly string[];
  /** Accept plaintext passwords outside TLS from non-loopback peers too. */
  allowPlaintextAuth: boolean;
  /** Host name in greetings, timestamps, Received lines and the certificate. */
  hostname: string;
  /** POP3 autologout timer (RFC 1939 §3: at least 10 minutes). */
  idleTimeoutMs: number;
  /** SMTP server timeout (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
  smtpTimeoutMs: number;
  /**
   * Idle limit before a login (POP3 AUTHORIZATION, submission before AUTH,
   * SMTP before EHLO), like Dovecot's login timeout; the smaller of this and
   * the autologout applies.
   */
  preAuthTimeoutMs: number;
  /** A fixed time from connecting to logging in, whatever the client sends meanwhile (Dovecot: 3 minutes); 0 = none. */
  loginDeadlineMs: number;
  /** Commands a session may send before logging in (POP3 AUTHORIZATION, submission before AUTH, SMTP before EHLO). */
  maxCommandsBeforeLogin: number;
  /** How long a TLS handshake may take: implicit TLS, STLS and STARTTLS alike. */
  handshakeTimeoutMs: number;
  /** SMTP: wait this long before the 220 and refuse clients that talk first; 0 turns it off. */
  greetingDelayMs: number;
  maxMessageSize: number;
  /** Message bytes held in memory at once across every SMTP session; a message past it is refused with 452 4.3.1. */
  maxBytesInFlight: number;
  maxRecipients: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Loopback connections this process opens itself (the classroom bridge's): they count against `maxConnections` only. */
  ownConnections?: OwnConnections;
  maxBadCommands: number;
  loginDelaySeconds: number;
  /** Delay before the reply to the Nth failed login, in ms. */
  authFailureDelay: (failures: number) => number;
  /**
   * Delay owed by a source address or user with N failed logins remembered
   * across connections (forgotten an hour after the last); applied to the
   * next answer, success or failure alike.
   */
  authPenaltyDelay: (failures: number) => number;
  /**
   * What may go out to other domains (core/send/outbound-policy.ts); undefined: nothing, and submission
   * refuses such recipients at RCPT. Demo logins never relay while `host` is beyond loopback.
   */
  outbound?: OutboundPolicy;
  /** Run the queue runner: deliver queued mail for other domains directly (MX), retry, bounce. */
  runQueue: boolean;
  /** Wait before retry N+1 after attempt N failed temporarily; after the last, the sender gets a bounce. */
  queueRetryDelaysMs: readonly number[];
  /** The DNS server for MX look-ups ("127.0.0.1:5353"); the system's when absent. */
  dnsServer?: string;
  /** The port the queue runner connects to on MX hosts (25 in the real world). */
  mxPort: number;
  /** The SMTP transaction the queue runner opens per exchanger address; tests record it to prove no connection was made. Default: a real one. */
  outboundTransport?: DirectDeliveryOptions['send'];
  /** Time for the queue runner (tests); real time when absent. */
  queueClock?: QueueClock;
  /** Scripted misbehaviour (`--fault`), counted per connection: "after 2" lets the first two matching commands of each session through. */
  faults?: readonly FaultRule[];
  /** Every event of every connection, stamped with its session (`pop3-7`), sequence number and time. */
  onEvent?: (listener: string, connection: number, envelope: EventEnvelope) => void;
  /** A connection opened or closed; `remote` is the client's address and port, IPv6 bracketed (`[::1]:50412`). */
  onConnection?: (listener: string, connection: number, remote: string, open: boolean) => void;
  /** One line per queue runner action (delivered, deferred, bounced). */
  onQueueLog?: (text: string) => void;
  /** How often stale tmp/ files (older than 36 hours) are swept, besides at start-up; 0 = only at start-up. */
  temporarySweepIntervalMs: number;
  /** One line per failed login (POP3 or SMTP), with the source address and the user: logged even without --verbose. */
  onAuthLog?: (text: string) => void;
  /** One line per stale tmp/ file removed, and per delivery whose folder sync failed after the message was in place. */
  onStoreLog?: (text: string) => void;
}

export const DEFAULT_LAB_CONFIG: LabConfig = {
  host: '127.0.0.1',
  dataDir: './maillab-data',
  pop3Port: 1110,
  pop3sPort: 1995,
  smtpPort: 2525,
  submissionPort: 2587,
  smtpsPort: 2465,
  domains: ['maillab.test', 'localhost'],
  allowPlaintextAuth: false,
  hostname: 'maillab.test',
  idleTimeoutMs: 10 * 60 * 1000,
  smtpTimeoutMs: 5 * 60 * 1000,
  preAuthTimeoutMs: 60 * 1000,
  loginDeadlineMs: 3 * 60 * 1000,
  maxCommandsBeforeLogin: 50,
  handshakeTimeoutMs: 15 * 1000,
  greetingDelayMs: 200,
  maxMessageSize: DEFAULT_SMTP_OPTIONS.maxMessageSize,
  maxBytesInFlight: 256 * 1024 * 1024,
  maxRecipients: DEFAULT_SMTP_OPTIONS.maxRecipients,
  maxConnections: 200,
  maxConnectionsPerAddress: 20,
  maxBadCommands: DEFAULT_POP3_OPTIONS.maxBadCommands,
  loginDelaySeconds: 0,
  authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay,
  authPenaltyDelay: DEFAULT_AUTH_PENALTY_DELAY,
  runQueue: true,
  queueRetryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  mxPort: 25,
  temporarySweepIntervalMs: 60 * 60 * 1000,
};

export type ListenerName = 'pop3' | 'pop3s' | 'smtp' | 'submission' | 'smtps';

export interface ListenerInfo {
  name: ListenerName;
  url: string;
  host: string;
  port: number;
  description: string;
}

export interface RunningLab {
  data: DataFolder;
  certificateCreated: boolean;
  listeners: ListenerInfo[];
  close(): Promise<void>;
}

let queueIds = 0;
/** Random bytes drawn a thousand ids at a time: one call into the CSPRNG per id costs more than the rest of the id. */
let randomPool = Buffer.alloc(0);
let randomUsed = 0;

/** A queue id for Received lines and 250 replies: time, a counter and randomness. */
function nextQueueId(): string {
  if (randomUsed + 3 > randomPool.length) {
    randomPool = randomBytes(3000);
    randomUsed = 0;
  }
  const random = randomPool.toString('hex', randomUsed, (randomUsed += 3));
  return `${Date.now().toString(36).toUpperCase()}${(++queueIds).toString(36).toUpperCase()}${random.toUpperCase()}`;
}

export async function startLab(config: LabConfig): Promise<RunningLab> {
  const data = await ensureDataFolder(config.dataDir);
  const certificate = await ensureCertificate(data.tlsFolder, config.hostname);
  const secureContext = secureContextOf(certificate);
  const users = new UsersFile(data.usersPath);
  const storeLog = (text: string) => config.onStoreLog?.(text);
  const store = new MaildirStore(data.mailRoot, { onSyncFailure: storeLog });
  const queue = new OutboundQueue(join(data.root, 'queue'), { onSyncFailure: storeLog });
  // Deliveries and enqueues cut short by a crash leave partial files in tmp/: remove them before serving, then now and then.
  const sweep = async () => {
    const removed = [...(await store.sweepTemporary().catch(() => [])), ...(await queue.sweepTemporary().catch(() => []))];
    for (const path of removed) config.onStoreLog?.(`removed stale temporary file ${path}`);
  };
  await sweep();
  const limiter = new ConnectionLimiter({ maxConnections: config.maxConnections, maxPerAddress: config.maxConnectionsPerAddress });
  const authPenalty = new AuthPenaltyTable({
    delay: config.authPenaltyDelay,
    forgetAfterMs: 60 * 60 * 1000,
    now: Date.now,
    // The classroom's tabs: penalised by the learner's browser address, never all together by the bridge's loopback one.
    ...(config.ownConnections ? { whose: (address: string | undefined, port: number | undefined) => config.ownConnections!.whose(address, port) } : {}),
    onFailure: ({ protocol, address, user, addressFailures }) =>
      config.onAuthLog?.(`failed login on ${protocol} from ${address}${user === undefined ? '' : ` for user "${user}"`} (${addressFailures} from this address in the last hour)`),
  });
  const budget = new InFlightBudget(config.maxBytesInFlight);
  const plaintextAuthAllowed = (remote: string | undefined) => config.allowPlaintextAuth || isLoopback(remote);

  // Whether a connection gets TLS is the listener's and the certificate's (core/net); the engines may offer it.
  const settings: EngineSettings = {
    hostname: config.hostname,
    tlsAvailable: true,
    maxBadCommands: config.maxBadCommands,
    authFailureDelay: config.authFailureDelay,
    loginDelaySeconds: config.loginDelaySeconds,
    maxMessageSize: config.maxMessageSize,
    maxRecipients: config.maxRecipients,
    maxCommandsBeforeLogin: config.maxCommandsBeforeLogin,
  };
  const pop3Deps = {
    backend: createPop3Backend(users, store, { loginDelaySeconds: config.loginDelaySeconds }),
    authPenalty,
    hostname: config.hostname,
    secureContext,
    idleTimeoutMs: config.idleTimeoutMs,
    preAuthTimeoutMs: config.preAuthTimeoutMs,
    loginDeadlineMs: config.loginDeadlineMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    plaintextAuthAllowed,
    options: pop3BaseOptions(settings),
  };
  const smtpBackend = createSmtpBackend({ users, store, queue, domains: config.domains, hostname: config.hostname, relayAllowed: relayPolicy(config, users) });
  const smtpDeps = (listener: SmtpListenerKind) => ({
    backend: smtpBackend,
    authPenalty,
    budget,
    secureContext,
    idleTimeoutMs: config.smtpTimeoutMs,
    preAuthTimeoutMs: config.preAuthTimeoutMs,
    loginDeadlineMs: config.loginDeadlineMs,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    greetingDelayMs: config.greetingDelayMs,
    plaintextAuthAllowed,
    nextId: nextQueueId,
    options: smtpBaseOptions(settings, listener),
  });

  // The lab is an adapter, so it may hand the engines Math.random; each connection gets its own counters.
  const faultPlan = config.faults && config.faults.length > 0 ? new FaultPlan(config.faults, Math.random) : undefined;
  const running: { info: ListenerInfo; listener: RunningListener }[] = [];
  const start = async (name: ListenerName, port: number | null, implicitTls: boolean, description: string) => {
    if (port === null) return;
    const pop3 = name === 'pop3' || name === 'pop3s';
    const smtpKind: SmtpListenerKind = name === 'smtp' ? 'mta' : 'submission';
    const listener = await startListener({
      host: config.host,
      port,
      implicitTls,
      credentials: certificate,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      limiter,
      ...(config.ownConnections ? { ownConnections: config.ownConnections } : {}),
      refusal: (reason) => (pop3 ? `-ERR [SYS/TEMP] ${reason}; try again later` : `421 4.7.0 ${config.hostname} ${reason}; try again later`),
      onConnection: (id, remote, open) => config.onConnection?.(name, id, remote, open),
      serve: (socket, id, done) => {
        const onEvent = (envelope: EventEnvelope) => config.onEvent?.(name, id, envelope);
        const faults = faultPlan ? { faults: faultPlan.fresh() } : {};
        const session = `${name}-${id}`;
        if (pop3) servePop3(socket, { ...pop3Deps, session, options: { ...pop3Deps.options, ...faults }, onEvent, onClose: done }, implicitTls);
        else {
          const deps = smtpDeps(smtpKind);
          serveSmtp(socket, { ...deps, session, options: { ...deps.options, ...faults }, onEvent, onClose: done }, implicitTls);
        }
      },
    });
    const scheme = name === 'pop3s' ? 'pop3s' : name === 'smtps' ? 'smtps' : pop3 ? 'pop3' : 'smtp';
    running.push({ info: { name, url: `${scheme}://${hostPort(config.host, listener.port)}`, host: config.host, port: listener.port, description }, listener });
  };
  try {
    await start('pop3', config.pop3Port, false, 'POP3, plaintext with STLS (RFC 1939, RFC 2595)');
    await start('pop3s', config.pop3sPort, true, 'POP3 over implicit TLS (RFC 8314)');
    await start('smtp', config.smtpPort, false, `SMTP for ${config.domains.join(', ')}: local delivery, no relay (RFC 5321)`);
    await start('submission', config.submissionPort, false, 'mail submission, AUTH required, STARTTLS (RFC 6409)');
    await start('smtps', config.smtpsPort, true, 'mail submission over implicit TLS, AUTH required (RFC 8314)');
  } catch (error) {
    await Promise.all(running.map(({ listener }) => listener.close()));
    throw error;
  }
  const runner = config.runQueue ? startQueueRunner(config, queue, store, users) : undefined;
  const sweeper = config.temporarySweepIntervalMs > 0 ? setInterval(() => void sweep(), config.temporarySweepIntervalMs).unref() : undefined;
  return {
    data,
    certificateCreated: certificate.created,
    listeners: running.map(({ info }) => info),
    async close() {
      clearInterval(sweeper);
      await runner?.stop();
      await Promise.all(running.map(({ listener }) => listener.close()));
    },
  };
}

function startQueueRunner(config: LabConfig, queue: OutboundQueue, store: MaildirStore, users: UsersFile): QueueRunner {
  const dns = nodeDns(config.dnsServer !== undefined ? { server: config.dnsServer } : {});
  const runner = new QueueRunner({
    queue,
    store,
    users,
    localDomains: config.domains,
    hostname: config.hostname,
    retryDelaysMs: config.queueRetryDelaysMs,
    deliver: (from, recipients, message, signal) =>
      deliverAllowed(config.outbound, recipients, (allowed) =>
        deliverDirect({ from, recipients: allowed, message, heloName: config.hostname, selfNames: [config.hostname], dns, port: config.mxPort, signal, allowAddress: (address) => connectionAllowed(config.outbound, address), ...(config.outboundTransport ? { send: config.outboundTransport } : {}) }),
      ),
    ...(config.queueClock ? { clock: config.queueClock } : {}),
    ...(config.onQueueLog ? { onLog: config.onQueueLog } : {}),
  });
  void runner.start();
  return runner;
}
