/**
 * aiosmtpd (Debian python3-aiosmtpd) as an SMTP peer maillab did not write:
 * its EHLO offers no PIPELINING and no AUTH, which is what the raw client's
 * lock-step fallback and its credential guard are tested against.
 */
import { spawn } from 'node:child_process';
import { freePort, waitForPort } from './peer-ports.js';

export interface AiosmtpdPeer {
  port: number;
  stop(): Promise<void>;
}

/** The interpreter that has aiosmtpd (the python3 first on PATH may be another one, PEERS.md). */
const PYTHON = '/usr/bin/python3';

export async function startAiosmtpd(): Promise<AiosmtpdPeer> {
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitForPort('aiosmtpd', port, () => '', child);
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
