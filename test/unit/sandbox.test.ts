import { describe, expect, it } from 'vitest';
import type { EventEnvelope, WireEvent } from '../../core/events.js';
import { Sandbox, type SandboxSession } from '../../core/sandbox/sandbox.js';

const text = (session: SandboxSession) => session.takeOutput().toString('latin1');
const kinds = (envelopes: readonly EventEnvelope[], kind: WireEvent['kind']) => envelopes.filter((envelope) => envelope.event.kind === kind).map((envelope) => envelope.event);

describe('the in-process sandbox', () => {
  it('greets on POP3 and logs alice in to her four demo messages', async () => {
    const sandbox = new Sandbox();
    const pop3 = sandbox.open('pop3');
    expect(text(pop3)).toMatch(/^\+OK POP3 server ready <1\.0@maillab\.test>\r\n$/);
    await pop3.sendLine('USER alice');
    await pop3.sendLine('PASS wonderland');
    expect(pop3.state).toBe('TRANSACTION');
    await pop3.sendLine('STAT');
    expect(text(pop3)).toMatch(/\+OK 4 \d+\r\n$/);
    // The password never appears in an event.
    expect(JSON.stringify(pop3.history)).not.toContain('wonderland');
  });

  it('stamps every event of a session with its id and a gapless seq, from the clock it was given', async () => {
    const sandbox = new Sandbox({ clock: () => 1_700_000_000_000 });
    const events: EventEnvelope[] = [];
    const pop3 = sandbox.open('pop3', { onEvent: (envelope) => events.push(envelope) });
    await pop3.sendLine('CAPA');
    await pop3.sendLine('NOOP');
    expect(events.length).toBeGreaterThan(4);
    expect(events.map((envelope) => envelope.seq)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((envelope) => envelope.session))).toEqual(new Set([pop3.id]));
    expect(events.every((envelope) => envelope.at === 1_700_000_000_000)).toBe(true);
    expect(pop3.history).toEqual(events);
  });

  it('mail sent with SMTP arrives in the POP3 maildrop of the same sandbox', async () => {
    const sandbox = new Sandbox();
    const smtp = sandbox.open('smtp');
    for (const line of ['EHLO me.example', 'MAIL FROM:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'DATA']) await smtp.sendLine(line);
    expect(smtp.state).toBe('DATA');
    expect(smtp.inputMode.kind).toBe('data');
    await smtp.send(Buffer.from('Subject: hello\r\n\r\nHi Bob\r\n.\r\n'));
    expect(text(smtp)).toMatch(/250 2\.0\.0 .*\r\n$/);
    const body = kinds(smtp.history, 'body')[0];
    expect(body).toMatchObject({ kind: 'body', from: 'client', content: 'Subject: hello\r\n\r\nHi Bob' });
    await smtp.sendLine('QUIT');
    expect(smtp.closed).toBe(true);

    const pop3 = sandbox.open('pop3');
    for (const line of ['USER bob', 'PASS builder', 'RETR 1']) await pop3.sendLine(line);
    expect(text(pop3)).toContain('Hi Bob\r\n.\r\n');
  });

  it('the submission target asks for AUTH before MAIL; STARTTLS is simulated', async () => {
    const sandbox = new Sandbox();
    const submission = sandbox.open('submission');
    await submission.sendLine('EHLO me.example');
    await submission.sendLine('MAIL FROM:<alice@maillab.test>');
    expect(text(submission)).toMatch(/530 5\.7\.0 [^\r]*\r\n$/);
    await submission.sendLine('STARTTLS');
    expect(kinds(submission.history, 'tls')).toEqual([{ kind: 'tls', version: 'TLSv1.3', cipher: '(simulated in process)' }]);
    expect(submission.state).toBe('INIT');
  });

  it('closing a session without QUIT deletes nothing and releases the maildrop', async () => {
    const sandbox = new Sandbox();
    const first = sandbox.open('pop3');
    for (const line of ['USER alice', 'PASS wonderland', 'DELE 1']) await first.sendLine(line);
    await first.close();
    expect(kinds(first.history, 'transition').at(-1)).toMatchObject({ to: 'CLOSED' });
    const second = sandbox.open('pop3');
    for (const line of ['USER alice', 'PASS wonderland', 'STAT']) await second.sendLine(line);
    expect(text(second)).toMatch(/\+OK 4 \d+\r\n$/);
  });

  it('pipelined lines in one write are answered in order', async () => {
    const sandbox = new Sandbox();
    const pop3 = sandbox.open('pop3');
    text(pop3);
    await pop3.send(Buffer.from('USER alice\r\nPASS wonderland\r\nSTAT\r\nNOOP\r\n'));
    const lines = text(pop3).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\+OK 4 /);
    expect(lines[3]).toMatch(/^\+OK/);
  });
});
