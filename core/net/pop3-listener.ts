/**
 * POP3 listeners: plain TCP (with STLS) and implicit TLS (RFC 8314 §3.3, "pop3s").
 * Each accepted socket gets a `Pop3Connection`; the connection caps are checked first.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { WireEvent } from '../events.js';
import type { ConnectionLimiter } from './connection-limiter.js';
import { Pop3Connection, type Pop3ConnectionDeps } from './pop3-connection.js';

export interface Pop3ListenerOptions {
  host: string;
  port: number;
  implicitTls: boolean;
  deps: Omit<Pop3ConnectionDeps, 'onEvent' | 'onClose'>;
  limiter: ConnectionLimiter;
  /** Key and certificate in PEM, for the implicit-TLS listener. */
  credentials?: { key: string; cert: string };
  /** Events of every connection, tagged with a connection number. */
  onEvent?: (connection: number, event: WireEvent) => void;
  /** Connection opened or closed, for logs. */
  onConnection?: (connection: number, remote: string, open: boolean) => void;
}

export interface RunningListener {
  readonly port: number;
  readonly host: string;
  /** Stops accepting and ends every open session without UPDATE. */
  close(): Promise<void>;
}

let nextConnection = 0;

export async function startPop3Listener(options: Pop3ListenerOptions): Promise<RunningListener> {
  const open = new Map<Socket, Promise<void>>();
  const accept = (socket: Socket) => {
    const remote = socket.remoteAddress ?? 'unknown';
    const slot = options.limiter.admit(remote);
    if (!slot.ok) {
      socket.on('error', () => {});
      socket.end(`-ERR [SYS/TEMP] ${slot.reason}; try again later\r\n`);
      return;
    }
    const id = ++nextConnection;
    options.onConnection?.(id, remote, true);
    let closed!: () => void;
    open.set(socket, new Promise<void>((resolve) => (closed = resolve)));
    new Pop3Connection(
      socket,
      {
        ...options.deps,
        onEvent: (event) => options.onEvent?.(id, event),
        onClose: () => {
          slot.release();
          open.delete(socket);
          options.onConnection?.(id, remote, false);
          closed();
        },
      },
      options.implicitTls,
    );
  };
  let server: Server;
  if (options.implicitTls) {
    if (!options.credentials) throw new Error('an implicit-TLS listener needs a certificate');
    server = createTlsServer({ key: options.credentials.key, cert: options.credentials.cert, minVersion: 'TLSv1.2' }, accept);
    server.on('tlsClientError', () => {}); // a failed handshake never reaches a session
  } else {
    server = createServer(accept);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    host: options.host,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const endings = [...open.values()];
      for (const socket of open.keys()) socket.destroy();
      await Promise.all(endings);
      await stopped;
    },
  };
}
