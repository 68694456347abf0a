/**
 * What a port that stays silent after connecting really is. A mail server
 * greets first; a server that waits for the client is most often an
 * implicit-TLS port (pop3s/smtps asked for as pop3/smtp) or a web server.
 *
 * The probe never speaks on the user's own connection (a mail server that is
 * merely slow to greet must not see a client talking out of turn there): it
 * opens a second connection and starts a TLS handshake on it. A TLS server
 * finishes the handshake; a web server answers the ClientHello with an HTTP
 * error ("HTTP/1.1 400 Bad Request"), which the tap below sees before the TLS
 * layer rejects it. Anything else is "unknown", and the caller keeps waiting.
 */
import { hostPort } from '../host-port.js';
import { isIP, connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ClientEndpoint } from './client-connection.js';

export type SilentPortKind = 'tls' | 'http' | 'mail' | 'unknown';

/** Probes host:port on a separate connection; settles within `timeoutMs`, never rejects. */
export function probeSilentPort(host: string, port: number, timeoutMs = 1500): Promise<SilentPortKind> {
  return new Promise((resolve) => {
    const raw = netConnect({ host, port });
    let seen = '';
    // The TLS layer reads through this tap, so the probe sees the peer's first bytes even when they are not TLS.
    const tap = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        raw.write(chunk, (error) => callback(error ?? null));
      },
      final(callback) {
        raw.end();
        callback();
      },
    });
    raw.on('data', (chunk: Buffer) => {
      if (seen.length < 64) seen += chunk.subarray(0, 64).toString('latin1');
      tap.push(chunk);
    });
    raw.on('end', () => tap.push(null));
    raw.on('error', () => finish('unknown'));
    const tls = tlsConnect({ socket: tap, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const timer = setTimeout(() => finish(classify(seen)), timeoutMs);
    tls.once('secureConnect', () => finish('tls'));
    tls.on('error', () => finish(classify(seen)));
    tls.once('close', () => finish(classify(seen)));
    let done = false;
    function finish(kind: SilentPortKind): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls.destroy();
      raw.destroy();
      resolve(kind);
    }
  });
}

/** The peer's first bytes in answer to a ClientHello, when the handshake did not complete. */
function classify(bytes: string): SilentPortKind {
  if (/^HTTP\/\d/i.test(bytes) || /^<(!doctype|html)/i.test(bytes)) return 'http';
  if (/^(\+OK|-ERR|\d{3}[ -])/i.test(bytes)) return 'mail';
  return 'unknown';
}

/**
 * The same question for an implicit-TLS port (smtps://, pop3s://) that
 * completed its handshake and then said nothing: on a second connection,
 * after the handshake, a web server picks "http/1.1" or "h2" when offered
 * them (ALPN, RFC 7301), or answers a HEAD request with "HTTP/…". A mail
 * server greets instead, or answers the request as a bad command.
 */
export function probeSilentTlsPort(host: string, port: number, timeoutMs = 1500): Promise<SilentPortKind> {
  return new Promise((resolve) => {
    const tls = tlsConnect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...(isIP(host) ? {} : { servername: host }) });
    let seen = '';
    const timer = setTimeout(() => finish(classify(seen)), timeoutMs);
    tls.once('secureConnect', () => {
      if (tls.alpnProtocol === 'h2' || tls.alpnProtocol === 'http/1.1') return finish('http');
      tls.write(`HEAD / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
    });
    tls.on('data', (chunk: Buffer) => {
      if (seen.length < 64) seen += chunk.subarray(0, 64).toString('latin1');
      if (classify(seen) !== 'unknown') finish(classify(seen));
    });
    tls.on('error', () => finish(classify(seen)));
    tls.once('close', () => finish(classify(seen)));
    let done = false;
    function finish(kind: SilentPortKind): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls.destroy();
      resolve(kind);
    }
  });
}

/** Why a port that sent no greeting is the wrong one, from what the probe found; undefined when it could not tell. */
export function silentPortReason(endpoint: ClientEndpoint, kind: SilentPortKind): string | undefined {
  const where = hostPort(endpoint.host, endpoint.port);
  const name = endpoint.protocol.toUpperCase();
  if (kind === 'http' && endpoint.implicitTls) return `${where} completed the TLS handshake and then answered as a web server (HTTPS), not ${name}; check the port (${endpoint.protocol === 'pop3' ? '995, or 1995 in the lab' : '465, or 2465 in the lab'})`;
  if (kind === 'tls') return `no greeting after 1 s from ${where}, and the port completed a TLS handshake: it expects TLS from the first byte (implicit TLS), not plaintext ${name}; try ${endpoint.protocol}s://${where}`;
  if (kind === 'http') return `no greeting after 1 s from ${where}, and the port answered as a web server (HTTP), not ${name}; check the port (${endpoint.protocol === 'pop3' ? '110, or 1110 in the lab' : '25 or 587, or 2525/2587 in the lab'})`;
  return undefined;
}

/**
 * A port sent no greeting within a second: probe it on a second connection
 * (plaintext URL: TLS or HTTP; implicit TLS: HTTPS) and say what was found.
 * Returns why it is the wrong protocol, or undefined to keep waiting (a busy
 * server that takes one connection at a time is silent on both, and is not
 * called the wrong port). `stillSilent` says whether the answer still matters.
 */
export async function diagnoseSilentPort(endpoint: ClientEndpoint, replyTimeoutMs: number, notice: (text: string) => void, stillSilent: () => boolean): Promise<string | undefined> {
  const where = hostPort(endpoint.host, endpoint.port);
  notice(
    endpoint.implicitTls
      ? `no greeting after 1 s from ${where} over TLS; a mail server greets at once, so this may be a web server (HTTPS). Checking on a second connection`
      : `no greeting after 1 s from ${where}; a mail server greets at once, so this may be an implicit-TLS port (try ${endpoint.protocol}s://${where}) or a web server. Checking on a second connection`,
  );
  const kind = await (endpoint.implicitTls ? probeSilentTlsPort : probeSilentPort)(endpoint.host, endpoint.port);
  if (!stillSilent()) return undefined;
  const wrong = silentPortReason(endpoint, kind);
  if (wrong !== undefined) return wrong;
  const why =
    kind === 'mail'
      ? 'the port greeted the second connection as a mail server, so it is the right kind of port; it may take one connection at a time or be slow with this one'
      : 'the second connection got no answer either: the server may be busy (some take one connection at a time) or slow';
  notice(`${why}; still waiting for a greeting (--timeout ${Math.round(replyTimeoutMs / 1000)} s)`);
  return undefined;
}
