/**
 * Fault rules: the text form (every form, and a reason for every malformed
 * rule), the per-session plan that counts them, and what the POP3 and SMTP
 * engines do when one applies.
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../core/annotations/catalogue.js';
import type { WireEvent } from '../../core/events.js';
import { FAULT_REFERENCE, FaultPlan } from '../../core/faults/fault-plan.js';
import type { FaultRule } from '../../core/faults/fault-rule.js';
import { formatFaultRule, parseFaultRule } from '../../core/faults/parse-fault.js';
import { renderEvent } from '../../core/render/transcript.js';
import { DEFAULT_SMTP_PERSONA } from '../../core/smtp/persona.js';
import { makeHarness, rfcMaildrop } from '../helpers/pop3-harness.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

function rule(text: string): FaultRule {
  const parsed = parseFaultRule(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.rule;
}

function reasonFor(text: string): string {
  const parsed = parseFaultRule(text);
  if (parsed.ok) throw new Error(`${text} parsed, but should not have: ${JSON.stringify(parsed.rule)}`);
  return parsed.reason;
}

/** A random source that plays back the given numbers and counts the calls. */
function scripted(values: number[]): { random: () => number; calls: () => number } {
  let calls = 0;
  return {
    random: () => {
      const value = values[calls++];
      if (value === undefined) throw new Error('random() called more often than scripted');
      return value;
    },
    calls: () => calls,
  };
}

const never = () => {
  throw new Error('random() must not be called here');
};

function faultEvents(events: readonly WireEvent[]): WireEvent[] {
  return events.filter((event) => event.kind === 'annotation' && event.key === 'lab.fault.applied');
}

function keys(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'annotation' ? [event.key] : []));
}

describe('parseFaultRule: the forms', () => {
  it('reads the examples written in fault-rule.ts', () => {
    expect(rule('RCPT -> "450 4.2.1 Mailbox busy"')).toEqual({
      command: 'RCPT',
      action: { kind: 'reply', text: '450 4.2.1 Mailbox busy' },
      after: 0,
      probability: 1,
      source: 'RCPT -> "450 4.2.1 Mailbox busy"',
    });
    expect(rule('RCPT -> "450 4.2.1 Mailbox busy" after 2')).toMatchObject({ command: 'RCPT', after: 2, probability: 1 });
    expect(rule('RETR -> "-ERR [SYS/TEMP] disk on fire" probability 0.3')).toMatchObject({
      command: 'RETR',
      action: { kind: 'reply', text: '-ERR [SYS/TEMP] disk on fire' },
      after: 0,
      probability: 0.3,
    });
    expect(rule('DATA -> drop')).toEqual({ command: 'DATA', action: { kind: 'drop' }, after: 0, probability: 1, source: 'DATA -> drop' });
    expect(rule('MAIL -> delay 2000')).toMatchObject({ command: 'MAIL', action: { kind: 'delay', ms: 2000 } });
    expect(rule('smtp:RSET -> "421 4.3.2 shutting down"')).toMatchObject({ protocol: 'smtp', command: 'RSET', action: { kind: 'reply', text: '421 4.3.2 shutting down' } });
  });

  it('takes verbs, keywords and the prefix in any case, with or without blanks around "->" and ":"', () => {
    expect(rule('Pop3:retr->DROP')).toMatchObject({ protocol: 'pop3', command: 'RETR', action: { kind: 'drop' } });
    expect(rule('  SMTP : mail   ->   Delay 15   AFTER 1   Probability .5  ')).toMatchObject({
      protocol: 'smtp',
      command: 'MAIL',
      action: { kind: 'delay', ms: 15 },
      after: 1,
      probability: 0.5,
      source: 'SMTP : mail   ->   Delay 15   AFTER 1   Probability .5',
    });
  });

  it('takes after and probability in either order, with every action', () => {
    expect(rule('RCPT -> drop probability 1 after 3')).toMatchObject({ after: 3, probability: 1 });
    expect(rule('RCPT -> "450 busy" after 0 probability 0.25')).toMatchObject({ after: 0, probability: 0.25 });
    expect(rule('RCPT -> delay 1 probability 1.0')).toMatchObject({ action: { kind: 'delay', ms: 1 }, probability: 1 });
  });

  it('unescapes \\" \\\\ and \\n inside the quoted reply; \\n separates the lines of a multi-line SMTP reply', () => {
    expect(rule('EHLO -> "250-first\\n250 last"').action).toEqual({ kind: 'reply', text: '250-first\n250 last' });
    expect(rule('NOOP -> "250 say \\"hi\\" \\\\ bye"').action).toEqual({ kind: 'reply', text: '250 say "hi" \\ bye' });
    expect(rule('HELP -> "214-a\\n214-b\\n214 c"').action).toEqual({ kind: 'reply', text: '214-a\n214-b\n214 c' });
    expect(rule('RCPT -> "450 -> after 2 drop"').action).toEqual({ kind: 'reply', text: '450 -> after 2 drop' });
  });

  it('a bare code is a whole SMTP reply, and a bare +OK a whole POP3 one', () => {
    expect(rule('RCPT -> "450"').action).toEqual({ kind: 'reply', text: '450' });
    expect(rule('NOOP -> "+OK"').action).toEqual({ kind: 'reply', text: '+OK' });
  });

  it('a reply for a command both protocols have is limited to the protocol it is a reply of', () => {
    expect(rule('QUIT -> "+OK bye"').protocol).toBe('pop3');
    expect(rule('QUIT -> "421 4.3.2 bye"').protocol).toBe('smtp');
    expect(rule('NOOP -> "-ERR no"').protocol).toBe('pop3');
    expect(rule('QUIT -> drop').protocol).toBeUndefined();
    expect(rule('RCPT -> "450 busy"').protocol).toBeUndefined();
  });

  it('formatFaultRule writes the canonical form, which parses back to the same rule', () => {
    const cases: [string, string][] = [
      ['rcpt -> "450 4.2.1 Mailbox busy" AFTER 2', 'RCPT -> "450 4.2.1 Mailbox busy" after 2'],
      ['RETR -> "-ERR [SYS/TEMP] disk on fire" probability 0.3', 'RETR -> "-ERR [SYS/TEMP] disk on fire" probability 0.3'],
      ['smtp:rset->"421 4.3.2 shutting down"', 'smtp:RSET -> "421 4.3.2 shutting down"'],
      ['QUIT -> "+OK bye"', 'pop3:QUIT -> "+OK bye"'],
      ['EHLO -> "250-a \\"b\\" \\\\\\n250 c"', 'EHLO -> "250-a \\"b\\" \\\\\\n250 c"'],
      ['MAIL -> delay 2000 probability .5 after 1', 'MAIL -> delay 2000 after 1 probability 0.5'],
      ['pop3:RETR -> drop', 'pop3:RETR -> drop'],
    ];
    for (const [written, canonical] of cases) {
      const parsed = rule(written);
      expect(formatFaultRule(parsed)).toBe(canonical);
      expect({ ...rule(canonical), source: written }).toEqual(parsed);
    }
  });
});

describe('parseFaultRule: a reason for every malformed rule', () => {
  const cases: [string, RegExp][] = [
    ['', /^the rule is empty; write COMMAND -> action/],
    ['   ', /^the rule is empty/],
    ['imap:FETCH -> drop', /^unknown protocol "imap:"; write pop3: or smtp:/],
    ['-> drop', /^the command is missing before "->"/],
    ['smtp: -> drop', /^the command is missing before "->"/],
    ['smtp:', /^the command is missing after the protocol/],
    ['123 -> drop', /^expected a command like RCPT or RETR, found "123"/],
    ['RCTP -> drop', /^RCTP is not a POP3 or SMTP command$/],
    ['pop3:RCPT -> drop', /^RCPT is not a POP3 command \(it is an SMTP command\)$/],
    ['smtp:RETR -> drop', /^RETR is not an SMTP command \(it is a POP3 command\)$/],
    ['pop3:EXPN -> drop', /^EXPN is not a POP3 command \(it is an SMTP command\)$/],
    ['RCPT', /^expected "->" and an action after RCPT$/],
    ['RCPT drop', /^expected "->" after RCPT, found "drop"$/],
    ['RCPT => drop', /^expected "->" after RCPT, found "=>"$/],
    ['RCPT ->', /^the action is missing after "->"/],
    ['RCPT -> explode', /^expected a quoted reply, drop or delay after "->", found "explode"$/],
    ['RCPT -> drop2', /^expected a quoted reply, drop or delay after "->", found "drop2"$/],
    ["RCPT -> '450 busy'", /^expected a quoted reply, drop or delay after "->", found "'450"$/],
    ['RCPT -> "450 busy', /^the reply starting at column 9 has no closing quote$/],
    ['RCPT -> "450 busy\\"', /has no closing quote/],
    ['RCPT -> "450 busy\\', /^the reply starting at column 9 has no closing quote$/],
    ['RCPT -> EXPLODE', /found "EXPLODE"$/],
    ['RCPT -> "450 \\t busy"', /^unknown escape "\\t" in the reply; only \\" \\\\ and \\n are understood$/],
    ['RCPT -> "450 busy"after 1', /^expected a space after the closing quote, found "after"$/],
    ['RCPT -> ""', /^the reply is empty/],
    ['RCPT -> "450 café"', /^the reply contains "é"; reply text is printable US-ASCII/],
    ['RCPT -> "450 a\tb"', /^the reply contains control character 0x09/],
    ['EHLO -> "250-ok\\n250 caf\u00e9"', /^line 2 of the reply contains "é"/],
    [`RCPT -> "450 ${'x'.repeat(507)}"`, /^the reply is 511 characters; a reply line is at most 510 plus CRLF$/],
    ['RCPT -> "hello"', /^an SMTP reply \(for RCPT\) must start with a three-digit code \(RFC 5321 §4\.2\), not "hello"$/],
    ['RCPT -> "+OK fine"', /^an SMTP reply \(for RCPT\) must start with a three-digit code/],
    ['smtp:QUIT -> "+OK bye"', /^an SMTP reply \(for QUIT\) must start with a three-digit code/],
    ['RETR -> "250 ok"', /^a POP3 reply \(for RETR\) starts with "\+OK" or "-ERR" and a space \(RFC 1939 §3\), not "250 ok"$/],
    ['pop3:QUIT -> "221 bye"', /^a POP3 reply \(for QUIT\) starts with "\+OK" or "-ERR"/],
    ['RETR -> "-ERRoops"', /^a POP3 reply \(for RETR\) starts with "\+OK" or "-ERR" and a space/],
    ['QUIT -> "bye"', /^"bye" is not a reply: a POP3 reply starts with \+OK or -ERR, an SMTP reply with a three-digit code$/],
    ['USER -> "-ERR a\\n-ERR b"', /^a POP3 fault reply is one \+OK or -ERR line, but this one has 2/],
    ['RETR -> "+OK 120 octets"', /^a fault cannot answer RETR with \+OK: the client would wait for a message body/],
    ['TOP -> "+OK"', /^a fault cannot answer TOP with \+OK/],
    ['CAPA -> "+OK capabilities"', /^a fault cannot answer CAPA with \+OK/],
    ['STLS -> "+OK go ahead"', /^a fault cannot answer STLS with \+OK: the client would start a TLS handshake/],
    ['EHLO -> "250 first\\n250 last"', /^line 1 of 2 must be "250-…": every line but the last has "-" after the code/],
    ['EHLO -> "250-first\\n250-last"', /^the last line must be "250 …", with a space after the code, not "-"/],
    ['RCPT -> "450-busy"', /^the last line must be "450 …"/],
    ['EHLO -> "250-first\\n251 last"', /^line 2 of the reply has code 251, but line 1 has 250; every line of a reply has the same code/],
    ['EHLO -> "250-first\\nlast"', /^line 2 of the reply must start with a three-digit code/],
    ['RCPT -> "450busy"', /^after the code 450 comes a space or "-", not "b"/],
    ['RCPT -> "4500 busy"', /^after the code 450 comes a space or "-", not "0"/],
    ['RCPT -> "650 busy"', /^SMTP reply codes start with 2, 3, 4 or 5 \(RFC 5321 §4\.2\.1\), not 650$/],
    ['RCPT -> "150 wait"', /^SMTP reply codes start with 2, 3, 4 or 5/],
    ['DATA -> "354 go ahead"', /^a fault cannot send the 3yz reply 354: it asks the client to go on/],
    ['AUTH -> "334 VXNlcm5hbWU6"', /^a fault cannot send the 3yz reply 334/],
    ['BDAT -> "552 5.3.4 too big"', /^a fault cannot answer BDAT with a reply: the chunk that follows BDAT would be read as commands/],
    ['STARTTLS -> "220 2.0.0 go ahead"', /^a fault cannot answer STARTTLS with 220: the client would start a TLS handshake/],
    ['MAIL -> delay', /^delay needs a time in milliseconds, e.g\. delay 2000$/],
    ['MAIL -> delay 2s', /^delay "2s" is not a whole number of milliseconds/],
    ['MAIL -> delay 1.5', /^delay "1\.5" is not a whole number of milliseconds/],
    ['MAIL -> delay 0', /^delay 0 does nothing; give at least 1 ms$/],
    ['MAIL -> delay 600001', /^delay 600001 is longer than 600000 ms \(10 minutes\)$/],
    ['MAIL -> drop after', /^after needs a number of commands, e.g\. after 2$/],
    ['MAIL -> drop after -1', /^after "-1" is not a whole number of commands/],
    ['MAIL -> drop after 1.5', /^after "1\.5" is not a whole number of commands/],
    ['MAIL -> drop after 99999999999999999999', /^after "99999999999999999999" is not a whole number of commands/],
    ['MAIL -> drop probability', /^probability needs a number more than 0 and at most 1/],
    ['MAIL -> drop probability 30%', /^probability "30%" is not a number; write a decimal like 0\.3$/],
    ['MAIL -> drop probability 0', /^probability must be more than 0 and at most 1, not 0$/],
    ['MAIL -> drop probability 0.0', /^probability must be more than 0 and at most 1, not 0\.0$/],
    ['MAIL -> drop probability 1.5', /^probability must be more than 0 and at most 1, not 1\.5$/],
    ['MAIL -> drop after 1 after 2', /^after is given twice$/],
    ['MAIL -> drop probability 0.5 probability 0.5', /^probability is given twice$/],
    ['MAIL -> drop sometimes', /^unexpected "sometimes" after the action; expected after N, probability P or matching PATTERN$/],
    ['MAIL -> drop "450 busy"', /^a rule has one action, but a second reply follows it; write another rule for it$/],
    ['MAIL -> "450 busy" DELAY 5', /^a rule has one action, but "DELAY" starts a second/],
  ];

  it.each(cases)('%j', (text, reason) => {
    expect(reasonFor(text)).toMatch(reason);
  });

  it('every reason is one line, fit for "maillab: --fault …: <reason>"', () => {
    for (const [text] of cases) expect(reasonFor(text), text).not.toMatch(/[\r\n]/);
  });
});

describe('FaultPlan', () => {
  it('after N: the first N matching commands pass, then every one gets the fault', () => {
    const plan = new FaultPlan([rule('RCPT -> "450 4.2.1 Mailbox busy" after 2')], never);
    const results = [1, 2, 3, 4].map(() => plan.check('smtp', 'RCPT')?.kind);
    expect(results).toEqual([undefined, undefined, 'reply', 'reply']);
  });

  it('counts only its own verb and protocol; a rule without prefix counts in both', () => {
    const plan = new FaultPlan([rule('smtp:RSET -> drop after 1'), rule('QUIT -> delay 5 after 1')], never);
    expect(plan.check('pop3', 'RSET')).toBeUndefined();
    expect(plan.check('smtp', 'MAIL')).toBeUndefined();
    expect(plan.check('smtp', 'RSET')).toBeUndefined();
    expect(plan.check('smtp', 'RSET')).toMatchObject({ kind: 'drop' });
    expect(plan.check('pop3', 'QUIT')).toBeUndefined();
    expect(plan.check('smtp', 'QUIT')).toMatchObject({ kind: 'delay', ms: 5 });
  });

  it('matches the verb in any case', () => {
    expect(new FaultPlan([rule('RETR -> drop')], never).check('pop3', 'retr')).toMatchObject({ kind: 'drop' });
  });

  it('an inferred protocol limits the rule: a POP3 reply for QUIT never fires in SMTP', () => {
    const plan = new FaultPlan([rule('QUIT -> "-ERR not now"')], never);
    expect(plan.check('smtp', 'QUIT')).toBeUndefined();
    expect(plan.check('pop3', 'QUIT')).toMatchObject({ kind: 'reply', text: '-ERR not now' });
  });

  it('probability P: fires when the injected random number is below P, and asks only when the rule could fire', () => {
    const source = scripted([0.5, 0.2, 0.29999, 0.3, 0]);
    const plan = new FaultPlan([rule('RETR -> "-ERR [SYS/TEMP] disk on fire" probability 0.3 after 1')], source.random);
    const results = [1, 2, 3, 4, 5, 6].map(() => plan.check('pop3', 'RETR')?.kind);
    expect(results).toEqual([undefined, undefined, 'reply', 'reply', undefined, 'reply']);
    expect(source.calls()).toBe(5);
    const certain = new FaultPlan([rule('RETR -> drop')], never);
    expect(certain.check('pop3', 'RETR')).toMatchObject({ kind: 'drop' });
  });

  it('the first rule that fires wins; every matching rule still counts the command', () => {
    const plan = new FaultPlan([rule('RCPT -> drop after 1'), rule('RCPT -> "450 busy"'), rule('RCPT -> delay 10 after 2')], never);
    expect(plan.check('smtp', 'RCPT')).toMatchObject({ kind: 'reply', text: '450 busy' });
    expect(plan.check('smtp', 'RCPT')).toMatchObject({ kind: 'drop' });
    const third = new FaultPlan([rule('RCPT -> "450 busy" after 2'), rule('RCPT -> delay 10 after 1')], never);
    expect([1, 2, 3].map(() => third.check('smtp', 'RCPT')?.kind)).toEqual([undefined, 'delay', 'reply']);
  });

  it('says which rule applied, for the annotation', () => {
    const written = rule('  rcpt -> "450 busy"  ');
    expect(new FaultPlan([written], never).check('smtp', 'RCPT')).toEqual({ kind: 'reply', text: '450 busy', rule: written });
  });

  it('fresh() starts another session with the same rules and nothing counted', () => {
    const source = scripted([0.1, 0.1]);
    const first = new FaultPlan([rule('MAIL -> drop after 1 probability 0.5')], source.random);
    expect(first.check('smtp', 'MAIL')).toBeUndefined();
    expect(first.check('smtp', 'MAIL')).toMatchObject({ kind: 'drop' });
    const second = first.fresh();
    expect(second.rules).toBe(first.rules);
    expect(second.check('smtp', 'MAIL')).toBeUndefined();
    expect(second.check('smtp', 'MAIL')).toMatchObject({ kind: 'drop' });
    expect(source.calls()).toBe(2);
  });
});

describe('POP3 engine with faults', () => {
  const faulty = (...rules: string[]) => makeHarness({ faults: new FaultPlan(rules.map(rule), never) }, rfcMaildrop);

  it('a reply fault answers in place of the handler: the line as written, state and session unchanged', async () => {
    const h = faulty('RETR -> "-ERR [SYS/TEMP] disk on fire" after 1');
    expect(await h.send('RETR 1')).toMatch(/^-ERR RETR is only valid in TRANSACTION/); // wrong state: not dispatched, not counted
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    expect(await h.send('RETR 1')).toMatch(/^\+OK 120 octets\r\n/);
    const faulted = await h.output('RETR 2');
    expect(faulted.bytes.toString('latin1')).toBe('-ERR [SYS/TEMP] disk on fire\r\n');
    expect(faulted.close).toBe(false);
    expect(faulted.delayMs).toBe(0);
    expect(h.session.state).toBe('TRANSACTION');
    expect([...h.session.transaction!.retrieved]).toEqual([0]);
    expect(keys(faulted.events)).toEqual(['pop3.command.RETR', 'pop3.reply.err', 'pop3.code.SYS/TEMP', 'lab.fault.applied']);
    expect(faulted.events.filter((event) => event.kind === 'line')).toEqual([
      { kind: 'line', from: 'client', text: 'RETR 2' },
      { kind: 'line', from: 'server', text: '-ERR [SYS/TEMP] disk on fire' },
    ]);
    expect(await h.send('STAT')).toBe('+OK 2 320\r\n');
  });

  it('the fault annotation is a warning naming the rule as written, with a catalogue entry', async () => {
    const h = faulty('  user -> "-ERR [SYS/TEMP] try later"  ');
    const output = await h.output('USER mrose');
    const [event] = faultEvents(output.events);
    expect(event).toEqual({ kind: 'annotation', about: 'warning', key: 'lab.fault.applied', rfc: FAULT_REFERENCE, detail: 'user -> "-ERR [SYS/TEMP] try later"' });
    expect(lookup('lab.fault.applied')).toMatchObject({ title: 'Fault injected by the lab', rfc: FAULT_REFERENCE });
    expect(renderEvent(event!)).toBe('   !! WARNING Fault injected by the lab: user -> "-ERR [SYS/TEMP] try later" (maillab lab)');
    expect(h.session.pendingUser).toBeUndefined();
  });

  it('a reply fault to QUIT does not close or enter UPDATE: only the handler would', async () => {
    const h = faulty('QUIT -> "+OK not really"');
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    await h.send('DELE 1');
    const output = await h.output('QUIT');
    expect(output.bytes.toString('latin1')).toBe('+OK not really\r\n');
    expect(output.close).toBe(false);
    expect(h.session.state).toBe('TRANSACTION');
    expect(h.store.messages('mrose')).toHaveLength(2);
  });

  it('drop closes with no bytes and no UPDATE: messages marked deleted stay, the lock is released', async () => {
    const h = faulty('pop3:RETR -> drop');
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    expect(await h.send('DELE 1')).toMatch(/^\+OK/);
    const output = await h.output('RETR 2');
    expect(output.bytes.length).toBe(0);
    expect(output.replies).toEqual([]);
    expect(output.close).toBe(true);
    expect(h.session.state).toBe('CLOSED');
    expect(output.events.filter((event) => event.kind === 'line' && event.from === 'server')).toEqual([]);
    expect(output.events.at(-1)).toMatchObject({ kind: 'transition', from: 'TRANSACTION', to: 'CLOSED', rfc: 'RFC 1939 §6' });
    expect(faultEvents(output.events)).toHaveLength(1);
    expect(h.store.messages('mrose')).toHaveLength(2);
    expect(h.store.isLocked('mrose')).toBe(false);
    expect((await h.session.end('socket closed')).events).toEqual([]);
  });

  it('delay runs the handler and asks the adapter to answer late', async () => {
    const h = faulty('STAT -> delay 1500');
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    const output = await h.output('STAT');
    expect(output.bytes.toString('latin1')).toBe('+OK 2 320\r\n');
    expect(output.delayMs).toBe(1500);
    expect(faultEvents(output.events)).toHaveLength(1);
    const next = await h.output('NOOP');
    expect(next.delayMs).toBe(0);
  });

  it('an SMTP-only rule never fires in POP3', async () => {
    const h = faulty('smtp:QUIT -> drop', 'smtp:NOOP -> "421 4.3.2 bye"');
    expect(await h.send('QUIT')).toMatch(/^\+OK/);
    expect(h.session.state).toBe('CLOSED');
  });
});

describe('SMTP engine with faults', () => {
  const faulty = (options: Parameters<typeof makeSmtpHarness>[0], ...rules: string[]) => makeSmtpHarness({ ...options, faults: new FaultPlan(rules.map(rule), never) });

  it('RCPT -> 450 after 1: the first recipient is accepted, the second refused, and the transaction goes on', async () => {
    const h = faulty({}, 'RCPT -> "450 4.2.1 Mailbox busy" after 1');
    await h.send('EHLO client.example');
    expect(await h.send('RCPT TO:<alice@maillab.test>')).toMatch(/^503 /); // wrong state: not counted
    await h.send('MAIL FROM:<carol@example.org>');
    expect(await h.send('RCPT TO:<alice@maillab.test>')).toMatch(/^250 2\.1\.5 /);
    const refused = await h.output('RCPT TO:<bob@maillab.test>');
    expect(refused.bytes.toString('utf8')).toBe('450 4.2.1 Mailbox busy\r\n');
    expect(keys(refused.events)).toEqual(['smtp.command.RCPT', 'smtp.reply.450', 'smtp.enhanced.4.2.1', 'lab.fault.applied']);
    expect(refused.replies).toEqual([{ code: 450, enhanced: '4.2.1', lines: ['Mailbox busy'], raw: ['450 4.2.1 Mailbox busy'] }]);
    expect(h.session.state).toBe('RCPT');
    expect(h.session.transaction!.recipients).toHaveLength(1);
    expect(h.session.transaction!.rejectedRecipients).toBe(0);
    expect(await h.send('DATA')).toMatch(/^354 /);
    expect(await h.data('Subject: hi\r\n\r\nhello\r\n')).toMatch(/^250 /);
    expect(h.delivered.map((d) => d.envelope.recipients.length)).toEqual([1]);
  });

  it('a reply fault leaves the state as it was: MAIL refused by a fault opens no transaction', async () => {
    const h = faulty({}, 'MAIL -> "451 4.3.0 try again later"');
    await h.send('EHLO client.example');
    expect(await h.send('MAIL FROM:<a@b.example>')).toBe('451 4.3.0 try again later\r\n');
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
    expect(await h.send('RCPT TO:<alice@maillab.test>')).toMatch(/^503 5\.5\.1 Need MAIL before RCPT/);
  });

  it('a multi-line reply goes out as written, whatever the persona says about enhanced codes', async () => {
    const h = faulty({ persona: { ...DEFAULT_SMTP_PERSONA, enhancedStatusCodes: false } }, 'EHLO -> "250-fault.example\\n250 SIZE 1"', 'NOOP -> "452 4.3.1 full"');
    const output = await h.output('EHLO client.example');
    expect(output.bytes.toString('utf8')).toBe('250-fault.example\r\n250 SIZE 1\r\n');
    expect(output.events.filter((event) => event.kind === 'line' && event.from === 'server').map((event) => (event.kind === 'line' ? event.text : ''))).toEqual(['250-fault.example', '250 SIZE 1']);
    expect(h.session.state).toBe('INIT');
    expect(h.session.extended).toBeUndefined();
    expect(await h.send('MAIL FROM:<a@b.example>')).toMatch(/^503 Send EHLO or HELO first/);
    const noop = await h.output('NOOP');
    expect(noop.bytes.toString('utf8')).toBe('452 4.3.1 full\r\n');
    expect(keys(noop.events)).toContain('smtp.enhanced.4.3.1');
  });

  it('lines are not rewritten: an enhanced code on the first line only stays on the first line', async () => {
    const h = faulty({}, 'HELO -> "450-4.2.1 Mailbox busy\\n450 try again in a minute"');
    const output = await h.output('HELO client.example');
    expect(output.bytes.toString('utf8')).toBe('450-4.2.1 Mailbox busy\r\n450 try again in a minute\r\n');
    expect(output.replies).toEqual([{ code: 450, enhanced: '4.2.1', lines: ['Mailbox busy', 'try again in a minute'], raw: ['450-4.2.1 Mailbox busy', '450 try again in a minute'] }]);
  });

  it('a 421 fault closes the session as a real 421 does', async () => {
    const h = faulty({}, 'smtp:RSET -> "421 4.3.2 shutting down"');
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<a@b.example>');
    const output = await h.output('RSET');
    expect(output.bytes.toString('utf8')).toBe('421 4.3.2 shutting down\r\n');
    expect(output.close).toBe(true);
    expect(h.session.state).toBe('CLOSED');
    expect(h.session.transaction).toBeUndefined();
    expect(output.events.at(-1)).toMatchObject({ kind: 'transition', from: 'MAIL', to: 'CLOSED', cause: expect.stringMatching(/^421: the server closes the connection/) });
    expect((await h.session.end('socket closed')).events).toEqual([]);
  });

  it('a fault reply other than 421 does not close', async () => {
    const h = faulty({}, 'QUIT -> "451 4.3.0 not now"');
    const output = await h.output('QUIT');
    expect(output.bytes.toString('utf8')).toBe('451 4.3.0 not now\r\n');
    expect(output.close).toBe(false);
    expect(h.session.state).toBe('INIT');
  });

  it('drop closes with no bytes: nothing is delivered', async () => {
    const h = faulty({}, 'DATA -> drop');
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<a@b.example>');
    await h.send('RCPT TO:<alice@maillab.test>');
    const output = await h.output('DATA');
    expect(output.bytes.length).toBe(0);
    expect(output.replies).toEqual([]);
    expect(output.close).toBe(true);
    expect(h.session.state).toBe('CLOSED');
    expect(h.session.transaction).toBeUndefined();
    expect(output.events.at(-1)).toMatchObject({ kind: 'transition', from: 'RCPT', to: 'CLOSED', cause: 'the connection ended without QUIT; a message in progress is discarded' });
    expect(faultEvents(output.events)).toEqual([{ kind: 'annotation', about: 'warning', key: 'lab.fault.applied', rfc: FAULT_REFERENCE, detail: 'DATA -> drop' }]);
    expect(h.delivered).toEqual([]);
  });

  it('delay runs the handler and sets delayMs', async () => {
    const h = faulty({}, 'MAIL -> delay 2000');
    await h.send('EHLO client.example');
    const output = await h.output('MAIL FROM:<a@b.example>');
    expect(output.bytes.toString('utf8')).toMatch(/^250 2\.1\.0 /);
    expect(output.delayMs).toBe(2000);
    expect(h.session.state).toBe('MAIL');
    expect(faultEvents(output.events)).toHaveLength(1);
  });

  it('a command the dispatcher refuses (530 on submission) is not faulted and not counted', async () => {
    const h = faulty({ listener: 'submission' }, 'MAIL -> "451 4.3.0 faulted" after 1');
    await h.send('EHLO client.example');
    expect(await h.send('MAIL FROM:<a@b.example>')).toMatch(/^530 /);
    await h.send(`AUTH PLAIN ${Buffer.from('\0alice\0wonderland').toString('base64')}`);
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^250 /);
    await h.send('RSET');
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toBe('451 4.3.0 faulted\r\n');
  });

  it('a POP3-only rule never fires in SMTP', async () => {
    const h = faulty({}, 'pop3:QUIT -> drop', 'NOOP -> "-ERR no"');
    expect(await h.send('NOOP')).toMatch(/^250 /);
    expect(await h.send('QUIT')).toMatch(/^221 /);
  });
});

describe('fault rules that match arguments (issue 22)', () => {
  it('reads matching PATTERN, writes it back, and refuses it without a pattern', () => {
    const spf = rule('MAIL -> "550 5.7.23 SPF validation failed" matching *@bank.example>*');
    expect(spf).toMatchObject({ command: 'MAIL', matching: '*@bank.example>*' });
    expect(formatFaultRule(spf)).toBe('MAIL -> "550 5.7.23 SPF validation failed" matching *@bank.example>*');
    expect(reasonFor('MAIL -> drop matching')).toMatch(/matching needs a pattern/);
    expect(reasonFor('MAIL -> drop matching a matching b')).toMatch(/matching is given twice/);
  });

  it('applies only to commands whose arguments match, in any case; the others are handled normally and not counted', async () => {
    const plan = new FaultPlan([rule('MAIL -> "550 5.7.23 SPF validation failed" matching *@bank.example>*')], never);
    expect(plan.check('smtp', 'MAIL', 'FROM:<alice@maillab.test>')).toBeUndefined();
    expect(plan.check('smtp', 'MAIL', 'FROM:<security@Bank.Example> SIZE=100')).toMatchObject({ kind: 'reply', text: '550 5.7.23 SPF validation failed' });
    expect(plan.check('smtp', 'MAIL', 'FROM:<x@bank.example.evil>')).toBeUndefined();
    const h = makeSmtpHarness({ faults: new FaultPlan([rule('MAIL -> "550 5.7.23 SPF validation failed" matching *@bank.example>*')], never) });
    await h.send('EHLO client.example');
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^250 /);
    await h.send('RSET');
    expect(await h.send('MAIL FROM:<security@bank.example>')).toBe('550 5.7.23 SPF validation failed\r\n');
  });
});
