/**
 * Property and fuzz tests (issue 14), seeded and reproducible: 10,000
 * generated inputs per engine under `npm run test:long` (a seeded fifth of
 * them in npm test, FUZZ_SCALE), for the framing layer, the client reply
 * parser and the masking function. A larger run: bench/fuzz-nightly.sh.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, clientLineEvent, maskClientLine } from '../../core/masking.js';
import { escapeControls } from '../../core/escape-text.js';
import { InputFramer, type InputMode } from '../../core/framing/input-framer.js';
import { SmtpReplyReader } from '../../core/framing/smtp-reply-reader.js';
import { scaled } from '../helpers/time.js';
import { FUZZ_SCALE, runSession, runs, sessionInput, type SessionResult, type Target } from './fuzz-harness.js';

/** A bound on each property, for its count of runs on a quiet machine (scaled by MAILLAB_TEST_TIME_FACTOR). */
const FUZZ_TIMEOUT = scaled(120_000 * Math.max(1, FUZZ_SCALE));

const RAW_CONTROL = /[\x00-\x1f\x7f-\x9f]/;

function checkSession(target: Target, result: SessionResult): void {
  result.steps.forEach((step, index) => {
    for (const { event } of step.events) {
      expect(event.kind === 'error' && event.code === 'INTERNAL', `internal error: ${JSON.stringify(event)}`).toBe(false);
      if (event.kind === 'line') expect(event.text).not.toMatch(RAW_CONTROL);
    }
    // A BDAT command is answered after its chunk (RFC 3030 §2): its own step writes nothing.
    const bdat = step.events.some(({ event }) => event.kind === 'line' && event.from === 'client' && /^BDAT /i.test(event.text));
    if (step.bytes === '' && bdat) return;
    const lines = step.bytes.split('\r\n');
    expect(lines.pop(), 'a reply ends with CRLF').toBe('');
    if (target === 'pop3') {
      expect(lines[0], 'one POP3 status line per item').toMatch(/^(\+OK|-ERR|\+ |\+$)/);
      const statusLines = lines.filter((l, i) => i === 0 || (/^(\+OK|-ERR)/.test(l) && lines[i - 1] === '.'));
      expect(statusLines).toHaveLength(1);
      if (step.close) expect(lines[0]).toMatch(/^(\+OK|-ERR)/);
    } else {
      const finals = lines.filter((l) => /^\d{3}( |$)/.test(l));
      expect(finals, `exactly one SMTP reply per item: ${JSON.stringify(step.bytes)}`).toHaveLength(1);
      expect(lines.slice(0, -1).every((l) => /^\d{3}-/.test(l))).toBe(true);
      if (step.close) expect(finals[0]).toMatch(/^(221|421|554) /);
    }
    if (step.close) expect(index, 'nothing after the close').toBe(result.steps.length - 1);
  });
}

function shape(result: SessionResult): string[] {
  return [result.greeting, ...result.steps.map((step) => `${step.close ? 'close:' : ''}${step.bytes}`)];
}

describe.each(['pop3', 'smtp', 'submission'] as const)('%s engine under hostile input', (target) => {
  it('no crash, one well-formed reply per command line in order (also pipelined), closes only after QUIT/221/421/-ERR, no raw control byte in any event', async () => {
    await fc.assert(
      fc.asyncProperty(sessionInput(target), async (input) => checkSession(target, await runSession(target, input, 0))),
      // 10,000 per engine (POP3, SMTP) under test:long, FUZZ_SCALE of them here; submission is the SMTP engine again with AUTH required.
      runs(target === 'submission' ? 2_000 : 10_000),
    );
  }, FUZZ_TIMEOUT);

  it('the same session split into 1-, 3- and 17-octet chunks gives the same replies', async () => {
    await fc.assert(
      fc.asyncProperty(sessionInput(target), fc.constantFrom(1, 3, 17), async (input, chunk) => {
        const whole = await runSession(target, input, 0);
        const split = await runSession(target, input, chunk);
        checkSession(target, split);
        // After STLS/STARTTLS what was pipelined in the same packet is discarded (RFC 2595 §4, RFC 3207 §4.2), so there chunking matters by design.
        if (!whole.steps.some((step) => step.startTls) && !split.steps.some((step) => step.startTls)) expect(shape(split)).toEqual(shape(whole));
      }),
      runs(1_000),
    );
  }, FUZZ_TIMEOUT);
});

describe('the framing layer', () => {
  const modes: InputMode[] = [
    { kind: 'command', limit: 64 },
    { kind: 'data', lineLimit: 100, sizeLimit: 300 },
  ];
  function frame(bytes: Buffer, chunk: number, mode: InputMode): string[] {
    const framer = new InputFramer();
    const items: string[] = [];
    for (let at = 0; at < bytes.length; at += chunk) {
      framer.push(bytes.subarray(at, at + chunk));
      for (let item = framer.next(mode); item; item = framer.next(mode)) {
        items.push(JSON.stringify(item, (_key, value: unknown) => (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('latin1') : value)));
        if (framer.buffered > Math.max(mode.kind === 'command' ? mode.limit : 0, 0) + chunk && mode.kind === 'command') {
          // After next() returned undefined the framer holds less than the limit; while items remain it may hold more.
        }
      }
    }
    return items;
  }
  const bytes = fc.array(fc.oneof(fc.constantFrom('\r\n', '\n', '\r', '.', '.\r\n', '\r\n.\r\n', '\x00', '\x1b', '\xff'), fc.string({ maxLength: 20 })), { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

  it('chunking never changes the items, in command and DATA modes; a command line never exceeds its limit', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(1, 3, 17), fc.constantFrom(...modes), (input, chunk, mode) => {
        const whole = frame(input, Math.max(1, input.length), mode);
        expect(frame(input, chunk, mode)).toEqual(whole);
        for (const item of whole) {
          const parsed = JSON.parse(item) as { kind: string; bytes?: string };
          if (parsed.kind === 'line' && mode.kind === 'command') expect(parsed.bytes!.length + 2).toBeLessThanOrEqual(mode.limit);
        }
      }),
      runs(10_000),
    );
  });
});

describe('the client reply parser', () => {
  it('never throws, and a reply split into lines any way gives the same replies', () => {
    const replyLine = fc.oneof(
      fc.tuple(fc.constantFrom('220', '250', '354', '421', '535', '999', '25', '2500'), fc.constantFrom(' ', '-', '', 'x'), fc.string({ maxLength: 30 })).map(([code, sep, text]) => `${code}${sep}${text}`),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(replyLine, { maxLength: 20 }), (lines) => {
        const read = () => {
          const reader = new SmtpReplyReader();
          return lines.map((line) => reader.line(line));
        };
        const first = read();
        expect(read()).toEqual(first);
        for (const result of first) {
          if (result.kind === 'complete') {
            expect(String(result.reply.code).padStart(3, '0')).toMatch(/^\d{3}$/);
            expect(result.reply.raw.length).toBeGreaterThan(0);
          }
        }
      }),
      runs(10_000),
    );
  });
});

describe('the masking function', () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9!#%&()*,.:;<>?@^_{}~-]{1,24}$/);
  const separator = fc.constantFrom(' ', '  ', '\t', '\x00', ' \x00', '\x0b');
  const verbCase = (verb: string) => fc.array(fc.boolean(), { minLength: verb.length, maxLength: verb.length }).map((upper) => [...verb].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

  it('PASS <secret> with any separator, any case, either protocol: the secret never shows', () => {
    fc.assert(
      fc.property(fc.constantFrom('pop3', 'smtp') as fc.Arbitrary<'pop3' | 'smtp'>, verbCase('PASS'), separator, secret, (protocol, verb, sep, password) => {
        const shown = clientLineEvent(protocol, `${verb}${sep}${password}`, 'command');
        expect(shown.text).not.toContain(password.length >= 3 ? password : '\u0000never');
        expect(shown.masked).toBe(true);
      }),
      runs(10_000),
    );
  });

  it('AUTH <mechanism> <initial response>, and a lone base64 credential after a refused AUTH: masked', () => {
    fc.assert(
      fc.property(fc.constantFrom('pop3', 'smtp') as fc.Arbitrary<'pop3' | 'smtp'>, verbCase('AUTH'), fc.constantFrom('PLAIN', 'LOGIN', 'x-any'), separator, fc.uint8Array({ minLength: 3, maxLength: 40 }), (protocol, verb, mechanism, sep, bytes) => {
        const credential = Buffer.from(bytes).toString('base64');
        expect(maskClientLine(protocol, `${verb} ${mechanism}${sep}${credential}`, 'command').text).not.toContain(credential);
        const alone = maskClientLine(protocol, credential, 'command');
        if (/[a-z0-9+/=]/.test(credential) && !/^[a-z]+$/.test(credential)) expect(alone.text).toBe(MASK);
        expect(maskClientLine(protocol, credential, 'sasl').text).toBe(MASK);
      }),
      runs(10_000),
    );
  });

  it('any line: the event text holds no raw control byte, and escaping is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: 'binary' }), fc.constantFrom('command', 'sasl') as fc.Arbitrary<'command' | 'sasl'>, (line, role) => {
        const text = clientLineEvent('smtp', line, role).text;
        expect(text).not.toMatch(RAW_CONTROL);
        expect(escapeControls(text)).toBe(text);
      }),
      runs(10_000),
    );
  });
});
