/** A minimal raw TCP/TLS client for tests: send bytes, wait for text. */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawClient {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  readonly received: string;
  send(data: string | Buffer): void;
  /** Resolves once `received` (from `from` on) matches; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
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
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const check of [...waiters]) check();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    get received() {
      return received;
    },
    send(data) {
      socket.write(data);
    },
    waitFor(pattern, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const test = () => (typeof pattern === 'string' ? received.includes(pattern) : pattern.test(received));
        const check = () => {
          if (!test()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; received so far:\n${received}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
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
    for (const deadline = Date.now() + 5000; ; ) {
      const fresh = client.received.slice(seen);
      if (ending.test(fresh)) {
        seen = client.received.length;
        return fresh;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${line}; received:\n${client.received}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
}

