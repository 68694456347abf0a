/**
 * Starts a whole lab from one configuration: the data folder, the certificate
 * and every listener. `maillab serve` and the end-to-end tests both use this.
 */
import type { WireEvent } from '../events.js';
import { ConnectionLimiter, isLoopback } from '../net/connection-limiter.js';
import { startPop3Listener, type RunningListener } from '../net/pop3-listener.js';
import { ensureCertificate, secureContextOf } from '../net/tls-certificate.js';
import { DEFAULT_POP3_OPTIONS } from '../pop3/session.js';
import { MaildirStore } from '../store/maildir-store.js';
import { UsersFile } from '../store/user-directory.js';
import { ensureDataFolder, type DataFolder } from './data-folder.js';
import { createPop3Backend } from './pop3-backend.js';

export interface LabConfig {
  host: string;
  dataDir: string;
  /** 0 picks a free port (tests); null turns the listener off. */
  pop3Port: number | null;
  pop3sPort: number | null;
  /** Accept plaintext passwords outside TLS from non-loopback peers too. */
  allowPlaintextAuth: boolean;
  /** Host name in greetings, timestamps and the certificate. */
  hostname: string;
  idleTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  maxBadCommands: number;
  loginDelaySeconds: number;
  /** Delay before the reply to the Nth failed login, in ms. */
  authFailureDelay: (failures: number) => number;
  onEvent?: (listener: string, connection: number, event: WireEvent) => void;
  onConnection?: (listener: string, connection: number, remote: string, open: boolean) => void;
}

export const DEFAULT_LAB_CONFIG: LabConfig = {
  host: '127.0.0.1',
  dataDir: './maillab-data',
  pop3Port: 1110,
  pop3sPort: 1995,
  allowPlaintextAuth: false,
  hostname: 'maillab.test',
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnections: 200,
  maxConnectionsPerAddress: 20,
  maxBadCommands: DEFAULT_POP3_OPTIONS.maxBadCommands,
  loginDelaySeconds: 0,
  authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay,
};

export interface ListenerInfo {
  name: 'pop3' | 'pop3s';
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

export async function startLab(config: LabConfig): Promise<RunningLab> {
  const data = await ensureDataFolder(config.dataDir);
  const certificate = await ensureCertificate(data.tlsFolder, config.hostname);
  const secureContext = secureContextOf(certificate);
  const store = new MaildirStore(data.mailRoot);
  const backend = createPop3Backend(new UsersFile(data.usersPath), store, { loginDelaySeconds: config.loginDelaySeconds });
  const limiter = new ConnectionLimiter({ maxConnections: config.maxConnections, maxPerAddress: config.maxConnectionsPerAddress });
  const deps = {
    backend,
    hostname: config.hostname,
    secureContext,
    idleTimeoutMs: config.idleTimeoutMs,
    plaintextAuthAllowed: (remote: string | undefined) => config.allowPlaintextAuth || isLoopback(remote),
    options: {
      ...DEFAULT_POP3_OPTIONS,
      serverName: config.hostname,
      tlsAvailable: true,
      maxBadCommands: config.maxBadCommands,
      loginDelaySeconds: config.loginDelaySeconds,
      authFailureDelay: config.authFailureDelay,
    },
  };
  const running: { info: ListenerInfo; listener: RunningListener }[] = [];
  const start = async (name: 'pop3' | 'pop3s', port: number, implicitTls: boolean, description: string) => {
    const listener = await startPop3Listener({
      host: config.host,
      port,
      implicitTls,
      deps,
      limiter,
      credentials: certificate,
      onEvent: (connection, event) => config.onEvent?.(name, connection, event),
      onConnection: (connection, remote, open) => config.onConnection?.(name, connection, remote, open),
    });
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    running.push({ info: { name, url: `${name}://${host}:${listener.port}`, host: config.host, port: listener.port, description }, listener });
  };
  try {
    if (config.pop3Port !== null) await start('pop3', config.pop3Port, false, 'POP3, plaintext with STLS (RFC 1939, RFC 2595)');
    if (config.pop3sPort !== null) await start('pop3s', config.pop3sPort, true, 'POP3 over implicit TLS (RFC 8314)');
  } catch (error) {
    await Promise.all(running.map(({ listener }) => listener.close()));
    throw error;
  }
  return {
    data,
    certificateCreated: certificate.created,
    listeners: running.map(({ info }) => info),
    async close() {
      await Promise.all(running.map(({ listener }) => listener.close()));
    },
  };
}
