/**
 * aiosmtpd (Debian python3-aiosmtpd) as an SMTP peer maillab did not write:
 * its EHLO offers no PIPELINING and no AUTH, which is what the raw client's
 * lock-step fallback and its credential guard are tested against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export interface AiosmtpdPeer {
  port: number;
  stop(): Promise<void>;
}

/** The interpreter that has aiosmtpd (the python3 first on PATH may be another one, PEERS.md). */
const PYTHON = '/usr/bin/python3';

export function aiosmtpdAvailable(): boolean {
  return existsSync(PYTHON);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port (the server is up). */
async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`aiosmtpd did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startAiosmtpd(): Promise<AiosmtpdPeer> {
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitForPort(port, child);
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
