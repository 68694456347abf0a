/**
 * Shared pieces of the property and fuzz tests (issue 14): fresh engines over
 * the in-memory store, a session driver that feeds bytes in chunks through the
 * one pump, and the generators of hostile input. `FUZZ_SCALE` multiplies the
 * run counts: npm test runs a seeded fifth of them (0.2), `npm run test:long`
 * all (1), bench/fuzz-nightly.sh twenty times as many (20).
 */
import fc from 'fast-check';
import { EnginePump, type PumpOutput } from '../../core/engine/pump.js';
import type { ServerEngine } from '../../core/engine/server-engine.js';
import { DEMO_USERS } from '../../core/sandbox/demo-messages.js';
import { createMemorySmtpBackend } from '../../core/store/memory-smtp-backend.js';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { DEFAULT_POP3_OPTIONS } from '../../core/pop3/options.js';
import { Pop3Session } from '../../core/pop3/session.js';
import { DEFAULT_SMTP_PERSONA } from '../../core/smtp/persona.js';
import { DEFAULT_SMTP_OPTIONS } from '../../core/smtp/options.js';
import { SmtpSession } from '../../core/smtp/session.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { LONG_RUNS } from '../helpers/long-runs.js';

export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? (LONG_RUNS ? '1' : '0.2'));
/** The seed of every property, so a failure is reproducible; FUZZ_SEED overrides it for nightly runs. */
export const SEED = Number(process.env.FUZZ_SEED ?? '20240614');
export const runs = (count: number) => ({ numRuns: Math.round(count * FUZZ_SCALE), seed: SEED });

export type Target = 'pop3' | 'smtp' | 'submission';

const users = new StaticUsers({ ...DEMO_USERS });

export function engine(target: Target): ServerEngine {
  const store = new MemoryStore();
  store.add('alice', Buffer.from('Subject: one\r\n\r\nbody\r\n.dot\r\n'));
  store.add('alice', Buffer.from('Subject: two\r\n\r\nx\r\n'));
  if (target === 'pop3') {
    return new Pop3Session(createPop3Backend(users, store), {
      ...DEFAULT_POP3_OPTIONS,
      serverName: 'maillab.test',
      timestamp: '<1.1@maillab.test>',
      challenge: () => '<2.2@maillab.test>',
      secure: false,
      tlsAvailable: true,
      plaintextAuthAllowed: true,
      authFailureDelay: () => 0,
    });
  }
  let ids = 0;
  return new SmtpSession(createMemorySmtpBackend({ users, store, domains: ['maillab.test'] }), {
    ...DEFAULT_SMTP_OPTIONS,
    persona: { ...DEFAULT_SMTP_PERSONA, hostname: 'maillab.test' },
    listener: target === 'smtp' ? 'mta' : 'submission',
    maxMessageSize: 4096,
    secure: false,
    tlsAvailable: true,
    plaintextAuthAllowed: true,
    remoteAddress: '127.0.0.1',
    challenge: () => '<3.3@maillab.test>',
    now: () => new Date(0),
    nextId: () => `ID${++ids}`,
    authFailureDelay: () => 0,
  });
}

export interface SessionResult {
  /** One entry per pump step: the bytes written and whether the step closed. */
  steps: { bytes: string; close: boolean; startTls: boolean; events: PumpOutput['envelopes'] }[];
  greeting: string;
}

/** Feeds `input` in chunks of `chunk` octets (0: whole), handling every step the bytes allow. */
export async function runSession(target: Target, input: Buffer, chunk: number): Promise<SessionResult> {
  const pump = new EnginePump(engine(target), { session: 'fuzz', clock: () => 0 });
  const greeting = pump.greet().bytes.toString('latin1');
  const steps: SessionResult['steps'] = [];
  const size = chunk > 0 ? chunk : input.length || 1;
  for (let at = 0; at < input.length && !pump.closed; at += size) {
    pump.push(input.subarray(at, at + size));
    for (const output of await pump.drain()) {
      steps.push({ bytes: output.bytes.toString('latin1'), close: output.close, startTls: output.startTls, events: output.envelopes });
      // In process, a TLS upgrade is simulated as the sandbox does.
      if (output.startTls) pump.tlsEstablished({ version: 'TLSv1.3', cipher: 'SIMULATED' });
    }
  }
  return { steps, greeting };
}

/** Hostile pieces a command line is made of. */
const hostile = fc.oneof(
  fc.constantFrom('\x00', '\r', '\n', '\x1b', '\x1b[2J', '\x1b]0;t\x07', '\x7f', '\x9b', '\xff', '\t', ' ', '.', '..', '\r\n.\r\n', '\n.\n'),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const POP3_WORDS = ['USER alice', 'PASS wonderland', 'USER bob', 'PASS builder', 'PASS wrong', 'STAT', 'LIST', 'LIST 1', 'RETR 1', 'RETR 2', 'DELE 1', 'RSET', 'NOOP', 'UIDL', 'TOP 1 0', 'CAPA', 'APOP alice 0123456789abcdef0123456789abcdef', 'AUTH PLAIN', 'AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=', 'AUTH LOGIN', 'AGFsaWNlAHdvbmRlcmxhbmQ=', '*', 'STLS', 'LAST'];
const SMTP_WORDS = ['EHLO client.example', 'HELO client.example', 'MAIL FROM:<a@example.org>', 'MAIL FROM:<alice@maillab.test> SIZE=100', 'RCPT TO:<bob@maillab.test>', 'RCPT TO:<x@elsewhere.example>', 'DATA', 'Subject: x', '', '.', 'BDAT 5 LAST', 'BDAT 0 LAST', 'RSET', 'NOOP', 'VRFY bob', 'HELP', 'AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=', 'AUTH LOGIN', 'YWxpY2U=', 'd29uZGVybGFuZA==', 'AUTH PLAIN', 'STARTTLS', 'EXPN x'];

/** One line: a known command, a mutated one, or junk; overlong now and then. */
function line(words: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...words) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...words), hostile, fc.nat({ max: 30 })).map(([word, noise, at]) => `${word.slice(0, at)}${noise}${word.slice(at)}`) },
    { weight: 2, arbitrary: fc.array(hostile, { maxLength: 4 }).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...words), fc.nat({ max: 700 })).map(([word, n]) => `${word} ${'A'.repeat(n)}`) },
  );
}

/** A session's input: lines with CRLF (sometimes LF alone), repeated or cut short at the end. */
export function sessionInput(target: Target): fc.Arbitrary<Buffer> {
  const words = target === 'pop3' ? POP3_WORDS : SMTP_WORDS;
  return fc
    .tuple(fc.array(fc.tuple(line(words), fc.constantFrom('\r\n', '\r\n', '\r\n', '\n')), { minLength: 1, maxLength: 8 }), fc.boolean(), fc.nat({ max: 1 }))
    .map(([lines, truncate, repeat]) => {
      let text = lines.map(([l, end]) => l + end).join('');
      text = text.repeat(repeat + 1);
      if (truncate) text = text.slice(0, Math.max(1, text.length - 3));
      return Buffer.from(text, 'latin1');
    });
}
