/** Socket chores shared by the POP3 and SMTP adapters: writing with backpressure, and server-side TLS upgrades. */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** Writes and waits for 'drain' when the socket's buffer is full (a big RETR, a slow reader). */
export async function writeAll(socket: Socket, bytes: Buffer): Promise<void> {
  if (bytes.length === 0 || socket.destroyed) return;
  if (socket.write(bytes)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Wraps a plain socket in server-side TLS (STLS, STARTTLS); `onSecure` runs after the handshake. */
export function upgradeToTls(plain: Socket, secureContext: SecureContext, onSecure: (secure: TLSSocket) => void): TLSSocket {
  const secure = new TLSSocket(plain, { isServer: true, secureContext });
  secure.once('secure', () => onSecure(secure));
  return secure;
}

/** The TLS parameters of a secure socket, for `tls` events. */
export function tlsInfo(socket: TLSSocket): { version: string; cipher: string } {
  return { version: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name };
}
