/**
 * A client that stops reading (issue 14, item 5): a real TCP socket, the real
 * adapter (core/net/server-connection.ts) and POP3 engine, a message far
 * larger than the socket buffers. The bytes queued on the server's socket stay
 * within one write slice whatever the reply's size, and the session still ends
 * at the idle timeout.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { ServerConnection } from '../../core/net/server-connection.js';
import { WRITE_SLICE } from '../../core/net/socket-io.js';
import { DEFAULT_POP3_OPTIONS } from '../../core/pop3/options.js';
import { Pop3Session } from '../../core/pop3/session.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { messageOfSize } from '../helpers/pop3-harness.js';
import { quietFor, scaled, until } from '../helpers/time.js';

/** What a socket may hold beyond the slice being written: Node's default high-water mark. */
const HIGH_WATER = 16 * 1024;

let server: Server | undefined;
let client: Socket | undefined;
afterEach(() => {
  client?.destroy();
  server?.close();
});

/** The session's idle limit: scaled (MAILLAB_TEST_TIME_FACTOR), so a busy machine still sees the server wait before it gives up. */
const IDLE_MS = scaled(800);

describe('a POP3 client that stops reading during a 12 MB RETR', () => {
  it('never has more than one write slice queued on its socket, and is dropped at the idle timeout', async () => {
    const store = new MemoryStore();
    store.add('alice', messageOfSize(12 * 1024 * 1024, 'big'));
    let serverSocket: Socket | undefined;
    let closed = false;
    server = createServer((socket) => {
      serverSocket = socket;
      const session = new Pop3Session(createPop3Backend(new StaticUsers({ alice: 'wonderland' }), store), {
        ...DEFAULT_POP3_OPTIONS,
        timestamp: '<1.2@test>',
        challenge: () => '<1.2@test>',
        secure: false,
        tlsAvailable: false,
        plaintextAuthAllowed: true,
        authFailureDelay: () => 0,
      });
      new ServerConnection(socket, session, { session: 'slow', idleTimeoutMs: IDLE_MS, onClose: () => (closed = true) });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    client = connect(port, '127.0.0.1');
    let received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    client.write('USER alice\r\nPASS wonderland\r\n');
    await until(() => /\+OK.*\r\n\+OK.*\r\n\+OK.*\r\n/s.test(received), 'the login', 5000, { pollMs: 5 });

    client.pause();
    client.write('RETR 1\r\n');
    let largest = 0;
    const sample = () => (largest = Math.max(largest, serverSocket!.writableLength));
    // The kernel buffers fill: then the server really is waiting, with what it queued on the socket.
    await until(() => sample() > 0, 'the server to wait on a full socket', 5000, { pollMs: 5 });
    // Watched a while longer, as the session waits for the reader: never more than one slice queued.
    for (let i = 0; i < 30; i++) {
      await quietFor(10);
      sample();
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(WRITE_SLICE + HIGH_WATER);
    await until(() => closed, 'the idle timeout to end the session', 3000);
    expect(closed).toBe(true);
  });
});
