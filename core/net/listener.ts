/**
 * A TCP or implicit-TLS listener with connection caps, for any protocol: it
 * admits a socket, hands it to `serve`, and on close ends every open session.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ConnectionLimiter } from './connection-limiter.js';

export interface ListenerOptions {
  host: string;
  port: number;
  implicitTls: boolean;
  /** Key and certificate in PEM, for implicit TLS (RFC 8314). */
  credentials?: { key: string; cert: string };
  limiter: ConnectionLimiter;
  /** The one line sent to a socket refused by a cap, e.g. "421 4.7.0 …" or "-ERR [SYS/TEMP] …". */
  refusal: (reason: string) => string;
  /** Serves an admitted socket; calls `done` once the session is over. */
  serve: (socket: Socket, id: number, done: () => void) => void;
  onConnection?: (id: number, remote: string, open: boolean) => void;
}

export interface RunningListener {
  readonly port: number;
  readonly host: string;
  /** Stops accepting and ends every open session. */
  close(): Promise<void>;
}

let nextConnection = 0;

export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const open = new Map<Socket, Promise<void>>();
  const accept = (socket: Socket) => {
    const remote = socket.remoteAddress ?? 'unknown';
    socket.on('error', () => {}); // reported by the session adapter; never crash the server
    const slot = options.limiter.admit(remote);
    if (!slot.ok) {
      socket.end(`${options.refusal(slot.reason)}\r\n`);
      return;
    }
    const id = ++nextConnection;
    options.onConnection?.(id, remote, true);
    let closed!: () => void;
    open.set(socket, new Promise<void>((resolve) => (closed = resolve)));
    options.serve(socket, id, () => {
      slot.release();
      open.delete(socket);
      options.onConnection?.(id, remote, false);
      closed();
    });
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
