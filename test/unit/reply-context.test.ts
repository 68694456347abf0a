/**
 * Replies explained in context (issue 22): the shared function on real reply
 * lines (RFC 1939 §5 examples, Dovecot-like and Postfix-like lines), the
 * POP3/SMTP trackers on a real-server style exchange, and the lab's engine.
 */
import { describe, expect, it } from 'vitest';
import { pop3CapaAnnotations, smtpKeywordAnnotations } from '../../core/annotations/annotate.js';
import { pop3ListingContext, pop3ReplyContext } from '../../core/annotations/reply-context.js';
import { lookupData } from '../../core/annotations/data-entries.js';
import { Pop3Tracker } from '../../core/client/pop3-tracker.js';
import { SmtpTracker } from '../../core/client/smtp-tracker.js';
import type { WireEvent } from '../../core/events.js';
import { makeHarness, rfcMaildrop } from '../helpers/pop3-harness.js';

const details = (events: readonly WireEvent[], key: string) =>
  events.flatMap((event) => (event.kind === 'annotation' && event.key === key ? [event.detail] : []));

describe('pop3ReplyContext', () => {
  it('reads STAT as a drop listing (RFC 1939 §5: "+OK 2 320")', () => {
    expect(details(pop3ReplyContext('STAT', '+OK 2 320'), 'pop3.context.stat')).toEqual(['2 messages, 320 octets in all']);
    expect(details(pop3ReplyContext('stat', '+OK 4 2129'), 'pop3.context.stat')).toEqual(['4 messages, 2,129 octets in all']);
    expect(details(pop3ReplyContext('STAT', '+OK 1 1'), 'pop3.context.stat')).toEqual(['1 message, 1 octet in all']);
  });

  it('names the message of a single scan line (LIST 2 → "+OK 2 200", UIDL 2 → "+OK 2 QhdPYR:00WBw1Ph7x7")', () => {
    expect(details(pop3ReplyContext('LIST 2', '+OK 2 200'), 'pop3.context.scan')).toEqual(['message 2: 200 octets']);
    expect(details(pop3ReplyContext('UIDL 2', '+OK 2 QhdPYR:00WBw1Ph7x7'), 'pop3.context.scan')).toEqual(['message 2 has unique id QhdPYR:00WBw1Ph7x7']);
  });

  it('says nothing where the line is not a scan line or a STAT answer', () => {
    expect(pop3ReplyContext('LIST', '+OK 2 messages (320 octets)')).toEqual([]);
    expect(pop3ReplyContext('STAT', '+OK Dovecot ready.')).toEqual([]);
    expect(pop3ReplyContext('RETR 1', '+OK 120 octets')).toEqual([]);
    expect(pop3ReplyContext('NOOP', '+OK')).toEqual([]);
  });

  it('explains a -ERR naming a message marked deleted, only when DELE marked it', () => {
    const marked = { markedDeleted: (n: number) => n === 2 };
    expect(details(pop3ReplyContext('RETR 2', '-ERR Message is deleted.', marked), 'pop3.context.deleted')).toEqual([
      'message 2 was marked deleted by DELE in this session; RSET undoes it',
    ]);
    for (const verb of ['DELE 2', 'TOP 2 0', 'LIST 2', 'UIDL 2']) expect(pop3ReplyContext(verb, '-ERR message 2 already deleted', marked)).toHaveLength(1);
    expect(pop3ReplyContext('RETR 3', '-ERR There is no message 3.', marked)).toEqual([]);
    expect(pop3ReplyContext('RETR 2', '-ERR Message is deleted.')).toEqual([]);
  });

  it('sums a whole listing in one note', () => {
    expect(pop3ListingContext('LIST', 2, 320)?.detail).toBe('2 messages listed, 320 octets in all');
    expect(pop3ListingContext('UIDL', 1)?.detail).toBe('1 message listed with its unique id');
  });

  it('has a catalogue entry for every key it emits', () => {
    for (const key of ['pop3.context.stat', 'pop3.context.scan', 'pop3.context.listing', 'pop3.context.deleted', 'smtp.context.size', 'pop3.context.capa-time']) {
      expect(lookupData(key)?.summary).toBeTruthy();
    }
  });
});

describe('numbers in words on EHLO and CAPA lines', () => {
  it('SIZE 10485760 is 10 MB; SIZE alone has no fixed limit (RFC 1870 §4)', () => {
    expect(details(smtpKeywordAnnotations(['SIZE 10485760']), 'smtp.context.size')).toEqual(['the largest message accepted: 10 MB (10,485,760 octets)']);
    expect(details(smtpKeywordAnnotations(['SIZE']), 'smtp.context.size')).toEqual(['no fixed limit on message size']);
    expect(details(smtpKeywordAnnotations(['SIZE 1000']), 'smtp.context.size')).toEqual(['the largest message accepted: 1,000 octets']);
    expect(details(smtpKeywordAnnotations(['PIPELINING', '8BITMIME']), 'smtp.context.size')).toEqual([]);
  });

  it('LOGIN-DELAY 900 is 15 minutes, EXPIRE 31 days (RFC 2449 §6.5, §6.7)', () => {
    expect(details(pop3CapaAnnotations(['LOGIN-DELAY 900']), 'pop3.context.capa-time')).toEqual(['at least 15 minutes between logins']);
    expect(details(pop3CapaAnnotations(['EXPIRE 31']), 'pop3.context.capa-time')).toEqual(['messages stay on the server 31 days after they are retrieved']);
    expect(details(pop3CapaAnnotations(['EXPIRE NEVER']), 'pop3.context.capa-time')).toEqual(['messages are never removed by the server']);
    expect(details(pop3CapaAnnotations(['LOGIN-DELAY 90 USER']), 'pop3.context.capa-time')).toEqual(['at least 90 seconds between logins (this value may differ per user: USER)']);
  });
});

describe('the trackers, fed a real-server style exchange', () => {
  it('Pop3Tracker explains STAT, LIST, UIDL and a RETR of a message it saw DELE mark', () => {
    const tracker = new Pop3Tracker();
    const events: WireEvent[] = [...tracker.connected()];
    const exchange: Array<[string, string[]]> = [
      ['USER mrose', ['+OK']],
      ['PASS tanstaaf', ['+OK Logged in.']],
      ['STAT', ['+OK 4 2129']],
      ['LIST', ['+OK 4 messages:', '1 120', '2 200', '3 909', '4 900', '.']],
      ['UIDL 2', ['+OK 2 000000024b4f2b37']],
      ['DELE 2', ['+OK Marked to be deleted.']],
      ['RETR 2', ['-ERR Message is deleted.']],
      ['RETR 9', ['-ERR There is no message 9.']],
      ['RSET', ['+OK']],
      ['DELE 3', ['-ERR Disk full']],
      ['RETR 3', ['-ERR Some other reason.']],
    ];
    events.push(...tracker.received('+OK Dovecot ready.'));
    for (const [line, replies] of exchange) {
      events.push(...tracker.sent(line));
      for (const reply of replies) events.push(...tracker.received(reply));
    }
    expect(details(events, 'pop3.context.stat')).toEqual(['4 messages, 2,129 octets in all']);
    expect(details(events, 'pop3.context.listing')).toEqual(['4 messages listed, 2,129 octets in all']);
    expect(details(events, 'pop3.context.scan')).toEqual(['message 2 has unique id 000000024b4f2b37']);
    // Only RETR 2 after an accepted DELE 2; not RETR 9, and not RETR 3 whose DELE was refused.
    expect(details(events, 'pop3.context.deleted')).toEqual(['message 2 was marked deleted by DELE in this session; RSET undoes it']);
  });

  it('SmtpTracker explains a Postfix-style SIZE in the EHLO reply', () => {
    const tracker = new SmtpTracker();
    const events: WireEvent[] = [...tracker.connected(), ...tracker.received('220 mx.example.org ESMTP Postfix')];
    events.push(...tracker.sent('EHLO client.example'));
    for (const line of ['250-mx.example.org', '250-PIPELINING', '250-SIZE 10240000', '250 8BITMIME']) events.push(...tracker.received(line));
    expect(details(events, 'smtp.context.size')).toEqual(['the largest message accepted: 9.8 MB (10,240,000 octets)']);
  });
});

describe('the lab engine', () => {
  it('explains STAT, LIST n, the whole LIST, and RETR of a message it marked deleted', async () => {
    const h = makeHarness({}, rfcMaildrop);
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    const stat = await h.output('STAT');
    expect(stat.bytes.toString('latin1')).toBe('+OK 2 320\r\n');
    expect(details(stat.events, 'pop3.context.stat')).toEqual(['2 messages, 320 octets in all']);
    expect(details((await h.output('LIST 2')).events, 'pop3.context.scan')).toEqual(['message 2: 200 octets']);
    expect(details((await h.output('LIST')).events, 'pop3.context.listing')).toEqual(['2 messages listed, 320 octets in all']);
    await h.send('DELE 1');
    const retr = await h.output('RETR 1');
    expect(retr.bytes.toString('latin1')).toMatch(/^-ERR/);
    expect(details(retr.events, 'pop3.context.deleted')).toEqual(['message 1 was marked deleted by DELE in this session; RSET undoes it']);
  });
});
