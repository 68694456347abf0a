/**
 * A TCP or implicit-TLS listener with connection caps, for any protocol: it
 * admits a socket, hands it to `serve`, and on close ends every open session.
 */
import { createServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { isLoopback, type ConnectionLimiter } from './connection-limiter.js';
import type { OwnConnections } from './own-connections.js';
import { HANDSHAKE_TIMEOUT_MS } from './server-connection.js';
import { secureContextOf } from './tls-certificate.js';
import { hostPort } from '../host-port.js';

export interface ListenerOptions {
  host: string;
  port: number;
  implicitTls: boolean;
  /** Key and certificate in PEM, for implicit TLS (RFC 8314). */
  credentials?: { key: string; cert: string };
  /** How long an implicit-TLS client may take to finish its handshake; it holds a connection slot meanwhile. */
  handshakeTimeoutMs?: number;
  limiter: ConnectionLimiter;
  /** Loopback connections this process opened itself (the classroom bridge): exempt from the per-address cap, not the global one. */
  ownConnections?: OwnConnections;
  /** The one line sent to a socket refused by a cap, e.g. "421 4.7.0 …" or "-ERR [SYS/TEMP] …". */
  refusal: (reason: string) => string;
  /** Serves an admitted socket; calls `done` once the session is over. */
  serve: (socket: Socket, id: number, done: () => void) => void;
  /** A connection opened or closed; `remote` is the client's address and port, IPv6 bracketed (`[::1]:50412`). */
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
  if (options.implicitTls && !options.credentials) throw new Error('an implicit-TLS listener needs a certificate');
  const secureContext = options.credentials ? secureContextOf(options.credentials) : undefined;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  let closing = false;
  const accept = (socket: Socket) => {
    const remote = socket.remoteAddress ?? 'unknown';
    socket.on('error', () => {}); // reported by the session adapter; never crash the server
    const own = options.ownConnections && isLoopback(remote) ? options.ownConnections.classify(socket.remoteAddress, socket.remotePort) : false;
    if (typeof own === 'boolean') admit(socket, remote, own);
    else
      void own.then((mine) => {
        if (closing || socket.destroyed) socket.destroy();
        else admit(socket, remote, mine);
      });
  };
  const admit = (socket: Socket, remote: string, own: boolean) => {
    // The slot is taken at TCP accept, before any TLS handshake, so handshakes count against the caps too.
    const slot = options.limiter.admit(remote, { own });
    if (!slot.ok) {
      const refusal = `${options.refusal(slot.reason)}\r\n`;
      if (!options.implicitTls) {
        socket.end(refusal);
        return;
      }
      // Over implicit TLS the refusal can only be read after a handshake: do it, say why, close.
      const secure = new TLSSocket(socket, { isServer: true, secureContext: secureContext! });
      secure.on('error', () => {});
      secure.setTimeout(handshakeTimeoutMs, () => secure.destroy());
      secure.once('secure', () => secure.end(refusal));
      return;
    }
    const id = ++nextConnection;
    // Taken now: a closed socket no longer knows its remote port.
    const peer = hostPort(remote, socket.remotePort);
    let closed!: () => void;
    open.set(socket, new Promise<void>((resolve) => (closed = resolve)));
    const done = () => {
      slot.release();
      open.delete(socket);
      options.onConnection?.(id, peer, false);
      closed();
    };
    options.onConnection?.(id, peer, true);
    if (!options.implicitTls) {
      options.serve(socket, id, done);
      return;
    }
    const secure = new TLSSocket(socket, { isServer: true, secureContext: secureContext! });
    secure.on('error', () => {});
    const tooSlow = () => secure.destroy();
    secure.setTimeout(handshakeTimeoutMs);
    secure.on('timeout', tooSlow);
    const failed = () => done();
    secure.once('close', failed);
    secure.once('secure', () => {
      secure.off('close', failed);
      secure.off('timeout', tooSlow);
      secure.setTimeout(0);
      options.serve(secure, id, done);
    });
  };
  const server = createServer(accept);
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
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const endings = [...open.values()];
      for (const socket of open.keys()) socket.destroy();
      await Promise.all(endings);
      await stopped;
    },
  };
}
