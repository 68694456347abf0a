/** Socket chores shared by the POP3 and SMTP adapters: writing with backpressure, and server-side TLS upgrades. */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/**
 * The most bytes handed to a socket at once. A reply is written in slices of
 * this size, each after the previous one drained, so a peer that stops reading
 * makes the socket queue at most one slice (plus its 16 KiB high-water mark),
 * whatever the reply's size: a 9 MB RETR is not queued whole, and over TLS it
 * is not encrypted whole into a second 9 MB buffer waiting for the peer.
 */
export const WRITE_SLICE = 64 * 1024;

/**
 * Writes `bytes` in slices of at most WRITE_SLICE octets, waiting for 'drain'
 * whenever the socket's buffer is full (a big RETR, a slow reader). Resolves
 * early, with the rest unwritten, if the socket closes.
 */
export async function writeAll(socket: Socket, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length && !socket.destroyed; offset += WRITE_SLICE) {
    await writeSlice(socket, bytes.subarray(offset, offset + WRITE_SLICE));
  }
}

async function writeSlice(socket: Socket, bytes: Buffer): Promise<void> {
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
