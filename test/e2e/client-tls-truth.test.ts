/**
 * Issue 18, "tell the truth" about TLS and about the port, with scripted TLS
 * servers whose certificates the test makes (self-signed for another name,
 * no alternative names at all), an HTTPS server on a mail URL, and a server
 * that takes one connection at a time: every verification problem is said,
 * never an empty alt-names list, the "self-signed" hint only for a
 * self-signed certificate, --ca-file/--servername/--tls-min work, an
 * unverified session is marked in the saved transcript, and `send` probes a
 * silent port like `connect` does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/models/exit-status.js';
import { runMaillab } from '../helpers/maillab-cli.js';
import { makeCertificate, onLines, startHttpsServer, startScriptedServer, startTlsSmtpServer, type RunningServer, type TestCertificate } from '../helpers/scripted-server.js';

let folder: string;
let otherName: TestCertificate;
let noAltNames: TestCertificate;
let otherNameServer: RunningServer;
let noAltNamesServer: RunningServer;
let https: RunningServer;
let http: HttpServer;
let httpPort = 0;
let caFile = '';

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'maillab-tls-truth-'));
  [otherName, noAltNames] = await Promise.all([makeCertificate('mail.other.example', ['mail.other.example']), makeCertificate('only-a-cn.example')]);
  caFile = join(folder, 'other-name.pem');
  writeFileSync(caFile, otherName.cert);
  [otherNameServer, noAltNamesServer, https] = await Promise.all([startTlsSmtpServer(otherName), startTlsSmtpServer(noAltNames), startHttpsServer(otherName)]);
  http = createHttpServer((_request, response) => response.end('hello\n'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as { port: number }).port;
});
afterAll(async () => {
  await Promise.all([otherNameServer.close(), noAltNamesServer.close(), https.close(), new Promise((resolve) => http.close(resolve))]);
  rmSync(folder, { recursive: true, force: true });
});

describe('every certificate problem, in plain words', () => {
  it('self-signed and for another name: both, with the self-signed hint; exit 29', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${otherNameServer.port}`], 'QUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(result.stderr).toMatch(/the certificate is self-signed .*; the certificate is for mail\.other\.example, not 127\.0\.0\.1/);
    expect(result.stderr).toMatch(/--insecure accepts a self-signed certificate/);
  });

  it('no alternative names at all: the CN is named, never an empty list', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${noAltNamesServer.port}`], 'QUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(result.stderr).toMatch(/the certificate is for only-a-cn\.example \(its subject CN; it has no alternative names\), not 127\.0\.0\.1/);
    expect(result.stderr).not.toMatch(/altnames: *(\)|$)/m);
  });

  it('--ca-file trusts it: only the wrong name is left, and no self-signed hint', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${otherNameServer.port}`, '--ca-file', caFile], 'QUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(result.stderr).toMatch(/does not verify: the certificate is for mail\.other\.example, not 127\.0\.0\.1/);
    expect(result.stderr).not.toMatch(/self-signed/);
  });

  it('--ca-file with --servername: verified, no warning, exit 0', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${otherNameServer.port}`, '--ca-file', caFile, '--servername', 'mail.other.example', '--json'], 'EHLO me\nQUIT\n');
    expect(result.code).toBe(0);
    const tls = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; peer?: { verified: boolean } }).find((event) => event.kind === 'tls');
    expect(tls?.peer?.verified).toBe(true);
    expect(result.stdout).not.toContain('client.warning.unverified-certificate');
  });

  it('a CA file that cannot be read: one line, no stack trace', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${otherNameServer.port}`, '--ca-file', join(folder, 'missing.pem')], 'QUIT\n');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^maillab: cannot read the CA file .*missing\.pem: no such file\n$/);
  });

  it('--tls-min TLSv1.3 against a server that stops at TLS 1.2: the handshake fails, exit 29', async () => {
    const capped = await startScriptedServer((socket: Socket) => {
      // A TLS 1.2-only server, as old mail servers still are.
      void import('node:tls').then(({ TLSSocket, createSecureContext }) => {
        const secure = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext({ ...otherName, maxVersion: 'TLSv1.2' }) });
        secure.on('error', () => {});
        secure.once('secure', () => secure.write('220 old.test ESMTP\r\n'));
        onLines(secure, () => secure.end('221 bye\r\n'));
      });
    });
    try {
      const modern = await runMaillab(['connect', `smtps://127.0.0.1:${capped.port}`, '--insecure', '--tls-min', 'TLSv1.3'], 'QUIT\n');
      expect(modern.code).toBe(EXIT_CODES.TLS);
      const old = await runMaillab(['connect', `smtps://127.0.0.1:${capped.port}`, '--insecure'], 'QUIT\n');
      expect(old.code).toBe(0);
      expect(old.stdout).toMatch(/TLSv1\.2/);
    } finally {
      await capped.close();
    }
  });
});

describe('an unverified session is marked', () => {
  it('--insecure: the saved text transcript keeps the TLS line and the warning, with UNVERIFIED', async () => {
    const save = join(folder, 'unverified.txt');
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${otherNameServer.port}`, '--insecure', '--save', save], 'EHLO me\nQUIT\n');
    expect(result.code).toBe(0);
    const text = readFileSync(save, 'utf8');
    expect(text).toMatch(/^-- TLS TLSv1\.[23] \S+; certificate NOT verified \(UNVERIFIED connection\)/m);
    expect(text).toMatch(/^-- warning: the certificate did not verify: the certificate is self-signed .*; the certificate is for mail\.other\.example, not 127\.0\.0\.1/m);
    expect(text).toMatch(/^C: EHLO me$/m);
  });
});

describe('the wrong protocol, recognised', () => {
  it('smtps:// to an HTTPS server: after the handshake it is recognised as a web server, exit 21', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${https.port}`, '--insecure', '--timeout', '20'], 'QUIT\n');
    expect(result.code).toBe(EXIT_CODES.GREETING);
    expect(result.stderr).toMatch(/completed the TLS handshake and then answered as a web server \(HTTPS\)/);
  });

  it('a server that takes one connection at a time is not called the wrong port: it greets once free, exit 0', async () => {
    const waiting: Socket[] = [];
    let busy = true;
    const single = await startScriptedServer((socket) => {
      waiting.push(socket);
      if (!busy) serve(socket);
    });
    const serve = (socket: Socket) => {
      socket.write('220 single.test ESMTP one at a time\r\n');
      onLines(socket, (line) => (/^QUIT/i.test(line) ? socket.end('221 bye\r\n') : socket.write('250 ok\r\n')));
    };
    try {
      const running = runMaillab(['connect', `smtp://127.0.0.1:${single.port}`, '--timeout', '20'], 'EHLO me\nQUIT\n');
      // The client's connection and the probe's both wait; once the probe gave up, the server turns to the first.
      while (waiting.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      const probe = waiting[1]!;
      // Read (and drop) what the probe sends, so its hang-up is seen.
      probe.resume();
      if (!probe.destroyed) await new Promise((resolve) => probe.once('close', resolve));
      busy = false;
      serve(waiting[0]!);
      const result = await running;
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/second connection got no answer either: the server may be busy \(some take one connection at a time\)/);
      expect(result.stdout).not.toMatch(/expects TLS from the first byte|answered as a web server/);
    } finally {
      await single.close();
    }
  });

  it('send probes like connect: smtp:// to a web server ends at once with 21', async () => {
    const result = await runMaillab(['send', '--from', 'a@example.org', '--to', 'b@example.org', '--body', 'x', '--server', `smtp://127.0.0.1:${httpPort}`, '--timeout', '20']);
    expect(result.code).toBe(EXIT_CODES.GREETING);
    expect(result.stderr).toMatch(/answered as a web server \(HTTP\)/);
  });

  it('send probes like connect: smtps:// to an HTTPS server ends at once with 21', async () => {
    const result = await runMaillab(['send', '--from', 'a@example.org', '--to', 'b@example.org', '--body', 'x', '--server', `smtps://127.0.0.1:${https.port}`, '--insecure', '--timeout', '20']);
    expect(result.code).toBe(EXIT_CODES.GREETING);
    expect(result.stderr).toMatch(/answered as a web server \(HTTPS\)/);
  });
});
