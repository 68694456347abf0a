/** Drives an SMTP engine with text lines and DATA bodies, the way an adapter would, for unit tests. */
import type { Mailbox } from '../../core/smtp/address.js';
import type { Envelope, RecipientVerdict, SmtpBackend } from '../../core/smtp/backend.js';
import { SmtpSession, type DataProblem, type SmtpOutput } from '../../core/smtp/session.js';
import { DEFAULT_SMTP_OPTIONS, type SmtpSessionOptions } from '../../core/smtp/options.js';

export interface Delivered {
  envelope: Envelope;
  message: Buffer;
}

/** An in-memory backend: `users` on `domains`; relays for authenticated sessions. */
export function memoryBackend(users: Record<string, string>, domains: string[], delivered: Delivered[]): SmtpBackend {
  const lower = new Map(Object.keys(users).map((name) => [name.toLowerCase(), name]));
  return {
    secretOf: async (user) => users[user],
    async checkRecipient(mailbox: Mailbox, authenticatedAs: string | undefined): Promise<RecipientVerdict> {
      if (mailbox.domain === '' && mailbox.localPart.toLowerCase() === 'postmaster') return { kind: 'local', user: Object.keys(users)[0]! };
      if (!domains.includes(mailbox.domain.toLowerCase())) return authenticatedAs !== undefined ? { kind: 'relay' } : { kind: 'relay-denied' };
      const user = lower.get(mailbox.localPart.toLowerCase());
      return user ? { kind: 'local', user } : { kind: 'unknown-user' };
    },
    verify: async (query) => Object.keys(users).filter((name) => name.toLowerCase() === query.toLowerCase()).map((name) => `${name}@${domains[0]}`),
    async deliver(envelope, body, trace) {
      // As stored: our Received header, then the message.
      delivered.push({ envelope, message: Buffer.concat([trace, body]) });
      return { id: `id${delivered.length}` };
    },
  };
}

export interface SmtpHarness {
  session: SmtpSession;
  delivered: Delivered[];
  greeting: SmtpOutput;
  /** Sends one command line (CRLF-terminated semantics); returns the reply text. */
  send(line: string): Promise<string>;
  output(line: string): Promise<SmtpOutput>;
  /** Sends a DATA body (already unstuffed, CRLF lines) as the framer would hand it over. */
  data(message: string | Buffer, problems?: DataProblem[]): Promise<string>;
  chunk(bytes: string | Buffer): Promise<string>;
}

/** `backend`, when given, replaces the in-memory one (then `delivered` stays empty). */
export function makeSmtpHarness(options: Partial<SmtpSessionOptions> = {}, users: Record<string, string> = { alice: 'wonderland', bob: 'builder' }, domains = ['maillab.test'], backend?: SmtpBackend): SmtpHarness {
  const delivered: Delivered[] = [];
  let ids = 0;
  const session = new SmtpSession(backend ?? memoryBackend(users, domains, delivered), {
    ...DEFAULT_SMTP_OPTIONS,
    listener: 'mta',
    secure: false,
    tlsAvailable: true,
    plaintextAuthAllowed: true,
    remoteAddress: '127.0.0.1',
    challenge: () => '<1896.697170952@postoffice.reston.mci.net>',
    now: () => new Date(Date.UTC(2026, 10, 23, 12, 0, 0)),
    nextId: () => `Q${++ids}`,
    authFailureDelay: () => 0,
    ...options,
  });
  const greeting = session.greet();
  const output = (line: string) => session.receiveLine({ bytes: Buffer.from(line, 'utf8'), bareLf: false, bareCr: false });
  return {
    session,
    delivered,
    greeting,
    output,
    send: async (line) => (await output(line)).bytes.toString('utf8'),
    data: async (message, problems = []) => {
      const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
      return (await session.receiveData({ message: problems.includes('too-big') ? undefined : bytes, octets: bytes.length, problems })).bytes.toString('utf8');
    },
    chunk: async (bytes) => {
      const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      return (await session.receiveChunk({ bytes: buffer, octets: buffer.length })).bytes.toString('utf8');
    },
  };
}
