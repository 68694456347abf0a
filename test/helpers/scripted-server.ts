/**
 * Small scripted servers for the raw client's tests (issue 18): a mail server
 * that says exactly what a test needs (a 421 greeting, a 221 nobody asked
 * for, a close right after STARTTLS), TLS servers with chosen certificates
 * (self-signed for another name, no alternative names), an HTTPS server, and
 * a server that serves one connection at a time. Loopback, free ports.
 */
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import selfsigned, { type CertificateExtension } from 'selfsigned';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 whose every connection goes to `handle`. */
export async function startScriptedServer(handle: (socket: Socket) => void): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    handle(socket);
  });
  return listen(server, sockets);
}

/** Each line a client sends, as it arrives (CRLF or LF ended). */
export function onLines(socket: Socket | TLSSocket, handle: (line: string) => void): void {
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end).replace(/\r$/, '');
      buffered = buffered.slice(end + 1);
      handle(line);
    }
  });
}

export interface TestCertificate {
  key: string;
  cert: string;
}

/** A self-signed certificate for `commonName` with these DNS alternative names (none: no subjectAltName at all). */
export async function makeCertificate(commonName: string, dnsNames: readonly string[] = []): Promise<TestCertificate> {
  const extensions: CertificateExtension[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
  ];
  if (dnsNames.length > 0) extensions.push({ name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) });
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256', extensions });
  return { key: pems.private, cert: pems.cert };
}

/** Upgrades a plain socket to TLS as a server would after "220 ready" to STARTTLS. */
export function serverTls(socket: Socket, certificate: TestCertificate): TLSSocket {
  const secure = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(certificate) });
  secure.on('error', () => {});
  return secure;
}

/** An SMTP server over implicit TLS with this certificate: greets, answers EHLO and QUIT. */
export async function startTlsSmtpServer(certificate: TestCertificate): Promise<RunningServer> {
  return startScriptedServer((socket) => {
    const secure = serverTls(socket, certificate);
    secure.once('secure', () => {
      secure.write('220 tls.test ESMTP scripted\r\n');
      onLines(secure, (line) => {
        if (/^EHLO/i.test(line)) secure.write('250-tls.test\r\n250 8BITMIME\r\n');
        else if (/^QUIT/i.test(line)) secure.end('221 2.0.0 bye\r\n');
        else secure.write('502 5.5.1 not here\r\n');
      });
    });
  });
}

/** An HTTPS server (a web server on the port a mail URL named). */
export async function startHttpsServer(certificate: TestCertificate): Promise<RunningServer> {
  const server = createHttpsServer(certificate, (_request, response) => response.end('hello\n'));
  return listen(server as unknown as Server, new Set());
}

async function listen(server: Server, sockets: Set<Socket>): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
