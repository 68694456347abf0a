/**
 * Ports for the peers the tests run (Dovecot, Postfix, aiosmtpd): a free port
 * on 127.0.0.1 to give one, and a wait until it accepts connections.
 */
import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { until } from './time.js';

/** A port nothing listens on now (the peer binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True if something accepts a connection on 127.0.0.1:`port` now. */
function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once `name` accepts connections on `port` (up to `ms`, scaled by
 * MAILLAB_TEST_TIME_FACTOR); fails at once if its process (when given) exits,
 * with `output()` in the message.
 */
export async function waitForPort(name: string, port: number, output: () => string, child?: ChildProcess, ms = 15_000): Promise<void> {
  await until(
    async () => {
      if (child && child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output()}`);
      return accepts(port);
    },
    `${name} to listen on ${port}`,
    ms,
    { pollMs: 50, detail: output },
  );
}
