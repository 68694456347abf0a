/**
 * vitest's global setup: holds the lab's default ports on 127.0.0.1 while the
 * suite runs, as `npm start` in another terminal would. A test that starts a
 * server on a fixed port (`serve` without `--web-port 0`, say) then fails at
 * once with EADDRINUSE, on every run, instead of only when the lab happens to
 * be running or another test file races it. A port already taken (the lab is
 * running) is left to its owner: it is held either way.
 */
import { createServer, type Server } from 'node:net';
import { DEFAULT_LAB_CONFIG } from '../../core/lab/lab-server.js';

/** The web page's default port (`maillab serve --web-port`, bin/cli.ts). */
const DEFAULT_WEB_PORT = 8025;

/** The ports `maillab serve` listens on when given no port options. */
export const LAB_DEFAULT_PORTS: readonly number[] = [
  DEFAULT_LAB_CONFIG.pop3Port,
  DEFAULT_LAB_CONFIG.pop3sPort,
  DEFAULT_LAB_CONFIG.smtpPort,
  DEFAULT_LAB_CONFIG.submissionPort,
  DEFAULT_LAB_CONFIG.smtpsPort,
  DEFAULT_WEB_PORT,
].filter((port): port is number => typeof port === 'number');

function hold(port: number): Promise<Server | undefined> {
  // Whoever connects is hung up on: the port is taken, not served.
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export default async function holdLabPorts(): Promise<() => Promise<void>> {
  const held = (await Promise.all(LAB_DEFAULT_PORTS.map(hold))).filter((server): server is Server => server !== undefined);
  return async () => {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  };
}
