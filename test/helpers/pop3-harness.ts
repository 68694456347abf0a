/** Drives a POP3 engine with text lines, the way an adapter would, for unit tests. */
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import type { Pop3Backend } from '../../core/pop3/backend.js';
import { Pop3Session, type Pop3Output } from '../../core/pop3/session.js';
import { DEFAULT_POP3_OPTIONS, type Pop3SessionOptions } from '../../core/pop3/options.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';

export const RFC_TIMESTAMP = '<1896.697170952@dbc.mtview.ca.us>';

/** A message of exactly `octets` octets on the wire (CRLF line ends). */
export function messageOfSize(octets: number, subject = 'test'): string {
  const head = `Subject: ${subject}\r\n\r\n`;
  let remaining = octets - head.length;
  if (remaining < 2) throw new Error(`messageOfSize(${octets}) is too small`);
  let body = '';
  while (remaining > 74) {
    body += `${'x'.repeat(70)}\r\n`;
    remaining -= 72;
  }
  body += `${'y'.repeat(remaining - 2)}\r\n`;
  return head + body;
}

export interface Harness {
  session: Pop3Session;
  store: MemoryStore;
  greeting: Pop3Output;
  /** Sends one line; returns the wire text of the reply. */
  send(line: string | Buffer): Promise<string>;
  /** Sends one line; returns the whole output. */
  output(line: string | Buffer): Promise<Pop3Output>;
}

export function makeHarness(options: Partial<Pop3SessionOptions> = {}, setup?: (store: MemoryStore) => void, backend?: Pop3Backend): Harness {
  const store = new MemoryStore();
  setup?.(store);
  const session = new Pop3Session(backend ?? createPop3Backend(new StaticUsers({ mrose: 'tanstaaf', alice: 'wonderland', bob: 'builder' }), store), {
    ...DEFAULT_POP3_OPTIONS,
    timestamp: RFC_TIMESTAMP,
    challenge: () => '<1896.697170952@postoffice.example.net>',
    secure: false,
    tlsAvailable: true,
    plaintextAuthAllowed: true,
    authFailureDelay: () => 0,
    ...options,
  });
  const greeting = session.greet();
  const output = (line: string | Buffer) => session.receiveLine(typeof line === 'string' ? Buffer.from(line, 'latin1') : line);
  return {
    session,
    store,
    greeting,
    output,
    send: async (line) => (await output(line)).bytes.toString('latin1'),
  };
}

/** Two messages of 120 and 200 octets for mrose, as in RFC 1939 §10. */
export function rfcMaildrop(store: MemoryStore): void {
  store.add('mrose', messageOfSize(120, 'one'), { uid: 'whqtswO00WBw418f9t5JxYwZ' });
  store.add('mrose', messageOfSize(200, 'two'), { uid: 'QhdPYR:00WBw1Ph7x7' });
}
