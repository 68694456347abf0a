/**
 * `maillab send --auth` and TLS (issue 9): STARTTLS whenever the server
 * offers it, and a warning (once) when a password has to go in plaintext:
 * against the lab's submission port, and against smtp-server from npm set up
 * to offer AUTH without STARTTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
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
  it('upgrades with STARTTLS by default when the server offers it, and gives no warning', async () => {
    const result = await runMaillab(['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--body', 'hi', '--server', `smtp://127.0.0.1:${lab.submissionPort}`, '--auth', 'alice:wonderland', '--transcript']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.indexOf('C: STARTTLS')).toBeGreaterThan(-1);
    expect(lines.indexOf('C: STARTTLS')).toBeLessThan(lines.findIndex((line) => line.startsWith('C: AUTH')));
    expect(result.stderr).not.toContain('unencrypted');
  });

  it('warns once on stderr when the password has to cross a connection without TLS', async () => {
    const result = await runMaillab(['send', '--from', 'dora@peer.example', '--to', 'x@peer.example', '--body', 'hi', '--server', `smtp://127.0.0.1:${plainPort}`, '--auth', 'dora:peer-secret']);
    expect(result.code).toBe(0);
    expect(result.stderr.match(/warning: the password went to 127\.0\.0\.1:\d+ unencrypted/g)).toHaveLength(1);
    expect(result.stderr).not.toContain('peer-secret');
  });
});
