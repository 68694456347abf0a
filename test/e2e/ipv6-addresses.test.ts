/**
 * An IPv6 address is written in brackets with its port wherever maillab
 * prints one (issue 18): the lab on ::1, `send` to it, `connect` to a port
 * nobody listens on, and `serve`'s connection log.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';

let lab: TestLab;
const remotes: string[] = [];
beforeAll(async () => {
  lab = await startTestLab({ host: '::1', onConnection: (_listener, _connection, remote, open) => open && remotes.push(remote) });
});
afterAll(() => lab.stop());

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '::1', () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('IPv6 addresses, bracketed with their port', () => {
  it('the lab\'s listeners and the connections it logs', async () => {
    expect(lab.listeners.find((listener) => listener.name === 'smtp')?.url).toBe(`smtp://[::1]:${lab.smtpPort}`);
    const result = await runMaillab(['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--body', 'over IPv6', '--server', `smtp://[::1]:${lab.smtpPort}`, '--transcript']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`connecting to [::1]:${lab.smtpPort}`);
    expect(result.stdout).toMatch(new RegExp(`^bob@maillab\\.test: accepted by \\[::1\\]:${lab.smtpPort}: 250 `, 'm'));
    expect(remotes.at(-1)).toMatch(/^\[::1\]:\d+$/);
  });

  it('connect says which address it could not reach', async () => {
    const port = await closedPort();
    const result = await runMaillab(['connect', `pop3://[::1]:${port}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`cannot connect to [::1]:${port}: connection refused`);
  });
});
