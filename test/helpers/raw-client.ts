/** A minimal raw TCP/TLS client for tests: send bytes, wait for text. */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { scaled } from './time.js';

export interface RawClient {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  readonly received: string;
  send(data: string | Buffer): void;
  /** Resolves once `received` matches; rejects after `timeoutMs` (scaled by MAILLAB_TEST_TIME_FACTOR). */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Resolves once `check` holds, re-checked on every chunk received and at the close; rejects, naming `what`, after `timeoutMs` (scaled). */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** True once the server has closed the connection (or it was destroyed). */
  readonly isClosed: boolean;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  close(): void;
}

export async function rawConnect(port: number, options: { tls?: boolean; host?: string } = {}): Promise<RawClient> {
  const host = options.host ?? '127.0.0.1';
  const socket: Socket = options.tls
    ? tlsConnect({ host, port, rejectUnauthorized: false })
    : netConnect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  let received = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    wake();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
      wake();
    }),
  );
  const until = (test: () => boolean, what: string, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; received so far:\n${received}`));
      }, scaled(timeoutMs));
      waiters.add(check);
      check();
    });
  return {
    socket,
    get received() {
      return received;
    },
    get isClosed() {
      return isClosed;
    },
    send(data) {
      socket.write(data);
    },
    async waitFor(pattern, timeoutMs = 5000) {
      await until(() => (typeof pattern === 'string' ? received.includes(pattern) : pattern.test(received)), String(pattern), timeoutMs);
      return received;
    },
    until,
    closed,
    close() {
      socket.destroy();
    },
  };
}

/** Connects (remembered in `clients`, to close), reads the greeting, and returns a function that sends one line and waits for the next reply line. */
export async function lineSession(clients: RawClient[], port: number): Promise<(line: string, ending?: RegExp) => Promise<string>> {
  const client = await rawConnect(port);
  clients.push(client);
  await client.waitFor('\r\n');
  let seen = client.received.length;
  return async (line, ending = /\r\n/) => {
    client.send(`${line}\r\n`);
    // The reply is complete when what came after the previous one matches `ending`.
    await client.until(() => ending.test(client.received.slice(seen)), `the reply to ${line}`);
    const fresh = client.received.slice(seen);
    seen = client.received.length;
    return fresh;
  };
}
