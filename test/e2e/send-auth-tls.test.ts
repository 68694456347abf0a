/**
 * `maillab send --auth` and TLS (issues 9 and 18): the password goes only
 * over TLS whose certificate verified (--ca-file trusts the lab's), never
 * over an unverified or plaintext connection unless --insecure is given, and
 * then with a warning said before it is sent: against the lab's submission
 * port, and against smtp-server from npm set up to offer AUTH without STARTTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { join } from 'node:path';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';

let lab: TestLab;
let plain: SMTPServer;
let plainPort = 0;
beforeAll(async () => {
  lab = await startTestLab();
  plain = new SMTPServer({
    hideSTARTTLS: true,
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (auth.username === 'dora' && auth.password === 'peer-secret') callback(null, { user: 'dora' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream: SMTPServerDataStream, _session: SMTPServerSession, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', () => resolve()));
  plainPort = (plain.server.address() as { port: number }).port;
});
afterAll(async () => {
  await lab.stop();
  await new Promise<void>((resolve) => plain.close(() => resolve()));
});

describe('maillab send --auth', () => {
  const send = (server: string, auth: string, ...more: string[]) =>
    runMaillab(['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--body', 'hi', '--server', server, '--auth', auth, '--transcript', ...more]);

  it('upgrades with STARTTLS and logs in when the certificate verifies (--ca-file), with no warning', async () => {
    const result = await send(`smtp://127.0.0.1:${lab.submissionPort}`, 'alice:wonderland', '--ca-file', join(lab.data.tlsFolder, 'cert.pem'));
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.indexOf('C: STARTTLS')).toBeGreaterThan(-1);
    expect(lines.indexOf('C: STARTTLS')).toBeLessThan(lines.findIndex((line) => line.startsWith('C: AUTH')));
    expect(result.stderr).not.toContain('warning');
  });

  it('a self-signed certificate: no password sent, every recipient failed at TLS, exit 29', async () => {
    const result = await send(`smtp://127.0.0.1:${lab.submissionPort}`, 'alice:wonderland');
    expect(result.code).toBe(29);
    expect(result.stdout).not.toMatch(/^C: AUTH/m);
    expect(result.stderr).toMatch(/certificate does not verify: the certificate is self-signed/);
  });

  it('--insecure over the self-signed certificate: the warning comes before the AUTH line', async () => {
    const result = await send(`smtp://127.0.0.1:${lab.submissionPort}`, 'alice:wonderland', '--insecure');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: the password is about to go to 127\.0\.0\.1:\d+ over TLS whose certificate did NOT verify/);
    const lines = result.stdout.split('\n');
    const warned = lines.findIndex((line) => /^-- warning: the password is about to go/.test(line));
    expect(warned).toBeGreaterThan(-1);
    expect(warned).toBeLessThan(lines.findIndex((line) => line.startsWith('C: AUTH')));
  });

  it('a server that offers no STARTTLS: the password is not sent without --insecure (exit 29)', async () => {
    const result = await send(`smtp://127.0.0.1:${plainPort}`, 'dora:peer-secret');
    expect(result.code).toBe(29);
    expect(result.stdout).not.toMatch(/^C: AUTH/m);
    expect(result.stderr).toMatch(/does not offer STARTTLS.*unencrypted: not sent \(--insecure sends it anyway/);
  });

  it('with --insecure, once on stderr and before the password goes', async () => {
    const result = await send(`smtp://127.0.0.1:${plainPort}`, 'dora:peer-secret', '--insecure');
    expect(result.code).toBe(0);
    expect(result.stderr.match(/warning: the password is about to go to 127\.0\.0\.1:\d+ UNENCRYPTED/g)).toHaveLength(1);
    expect(result.stderr).not.toContain('peer-secret');
    expect(result.stdout).not.toContain('peer-secret');
  });
});
