/** `explain()`: what a learner types, resolved to catalogue entries; and how an entry reads as text. */
import { describe, expect, it } from 'vitest';
import { explain } from '../../core/annotations/explain.js';
import { lookup } from '../../core/annotations/catalogue.js';
import { renderEntry, renderNoEntry, wrap } from '../../core/render/catalogue-entry.js';

const keys = (query: string) => explain(query).entries.map((entry) => entry.key);

describe('commands', () => {
  it('a verb in any case, with or without its arguments', () => {
    expect(keys('RETR')).toEqual(['pop3.command.RETR']);
    expect(keys('retr 1')).toEqual(['pop3.command.RETR']);
    expect(keys('mail')).toEqual(['smtp.command.MAIL', 'smtp.state.MAIL']);
    expect(keys('MAIL FROM:<alice@example.org>')).toEqual(['smtp.command.MAIL', 'smtp.state.MAIL']);
  });

  it('a verb both protocols have gives both; a protocol in front chooses', () => {
    expect(keys('QUIT')).toEqual(['pop3.command.QUIT', 'smtp.command.QUIT']);
    expect(keys('NOOP')).toEqual(['pop3.command.NOOP', 'smtp.command.NOOP']);
    expect(keys('RSET')).toEqual(['pop3.command.RSET', 'smtp.command.RSET']);
    expect(keys('pop3 QUIT')).toEqual(['pop3.command.QUIT']);
    expect(keys('smtp quit')).toEqual(['smtp.command.QUIT']);
    expect(keys('POP rset')).toEqual(['pop3.command.RSET']);
  });

  it('AUTH is a command in both, an EHLO keyword and a POP3 response code', () => {
    expect(keys('AUTH')).toEqual(['pop3.command.AUTH', 'smtp.command.AUTH', 'smtp.keyword.AUTH', 'pop3.code.AUTH']);
    expect(keys('smtp AUTH')).toEqual(['smtp.command.AUTH', 'smtp.keyword.AUTH']);
  });

  it('LAST comes with its historic note', () => {
    const [entry] = explain('LAST').entries;
    expect(entry?.historic).toMatch(/removed by RFC 1725/);
  });
});

describe('states', () => {
  it('a state, and a name that is both a command and a state', () => {
    expect(keys('TRANSACTION')).toEqual(['pop3.state.TRANSACTION']);
    expect(keys('DATA')).toEqual(['smtp.command.DATA', 'smtp.state.DATA']);
    expect(keys('CLOSED')).toEqual(['pop3.state.CLOSED', 'smtp.state.CLOSED']);
    expect(keys('smtp closed')).toEqual(['smtp.state.CLOSED']);
  });
});

describe('SMTP reply codes and lines', () => {
  it('a code', () => {
    expect(keys('354')).toEqual(['smtp.reply.354']);
    expect(keys('550')).toEqual(['smtp.reply.550']);
  });

  it('a whole reply line: the code and its enhanced code', () => {
    expect(keys('550 5.1.1 no such user')).toEqual(['smtp.reply.550', 'smtp.enhanced.5.1.1']);
    expect(keys('250-2.1.5 recipient ok')).toEqual(['smtp.reply.250', 'smtp.enhanced.2.1.5']);
    expect(keys('354 Start mail input; end with <CRLF>.<CRLF>')).toEqual(['smtp.reply.354']);
  });

  it('an EHLO reply line: the code and the keyword', () => {
    expect(keys('250-PIPELINING')).toEqual(['smtp.reply.250', 'smtp.keyword.PIPELINING']);
    expect(keys('250 SIZE 10485760')).toEqual(['smtp.reply.250', 'smtp.keyword.SIZE']);
  });

  it('a code without an entry of its own is read from its digits', () => {
    const [entry] = explain('529').entries;
    expect(entry).toMatchObject({ key: 'smtp.reply.529', title: '529 (read from its digits)', rfc: 'RFC 5321 §4.2.1' });
    expect(entry?.summary).toContain(lookup('smtp.digit1.5')!.summary);
    expect(entry?.summary).toContain(lookup('smtp.digit2.2')!.summary);
  });

  it('521 and the ETRN replies have entries of their own (RFC 7504 §3, RFC 1985)', () => {
    expect(explain('521').entries[0]).toMatchObject({ key: 'smtp.reply.521', rfc: 'RFC 7504 §3' });
    for (const code of ['458', '459', '253']) expect(explain(code).entries[0], code).toMatchObject({ key: `smtp.reply.${code}`, rfc: 'RFC 1985' });
  });

  it('the digit patterns themselves', () => {
    expect(keys('5yz')).toEqual(['smtp.digit1.5']);
    expect(keys('4XX')).toEqual(['smtp.digit1.4']);
    expect(keys('x5z')).toEqual(['smtp.digit2.5']);
  });

  it('three digits that are no SMTP code are not one', () => {
    expect(explain('199').entries).toEqual([]);
  });
});

describe('enhanced status codes', () => {
  it('a code', () => {
    expect(keys('5.7.1')).toEqual(['smtp.enhanced.5.7.1']);
    expect(keys('5.7.8')).toEqual(['smtp.enhanced.5.7.8']);
  });

  it('X.s.d gives the classes it is defined in', () => {
    expect(keys('X.1.1')).toEqual(['smtp.enhanced.5.1.1']);
    expect(keys('x.7.0')).toEqual(['smtp.enhanced.5.7.0', 'smtp.enhanced.4.7.0', 'smtp.enhanced.2.7.0']);
  });

  it('a class or a subject alone', () => {
    expect(keys('5.XXX.XXX')).toEqual(['smtp.enhanced-class.5']);
    expect(keys('X.7.XXX')).toEqual(['smtp.enhanced-subject.7']);
  });

  it('an unlisted code is read from class and subject, and said to be not registered', () => {
    const [entry] = explain('4.7.99').entries;
    expect(entry).toMatchObject({ key: 'smtp.enhanced.4.7.99', rfc: 'RFC 3463 §2' });
    expect(entry?.title).toMatch(/not registered/);
    expect(entry?.summary).toMatch(/Persistent Transient Failure/);
    expect(entry?.summary).toMatch(/X\.7\.99 is not registered in the IANA registry/);
    expect(entry?.summary).not.toMatch(/No detail code|does not exist/);
  });
});

describe('POP3 replies', () => {
  it('a status line with a response code', () => {
    expect(keys('-ERR [IN-USE] Do you have another POP session running?')).toEqual(['pop3.reply.err', 'pop3.code.IN-USE']);
    expect(keys('-ERR [IN-USE]')).toEqual(['pop3.reply.err', 'pop3.code.IN-USE']);
    expect(keys('-err [sys/temp] disk full')).toEqual(['pop3.reply.err', 'pop3.code.SYS/TEMP']);
  });

  it('+OK, -ERR and the SASL continuation alone', () => {
    expect(keys('+OK')).toEqual(['pop3.reply.ok']);
    expect(keys('+OK 2 320')).toEqual(['pop3.reply.ok']);
    expect(keys('-ERR')).toEqual(['pop3.reply.err']);
    expect(keys('+')).toEqual(['pop3.reply.continue']);
    expect(keys('+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+')).toEqual(['pop3.reply.continue']);
  });

  it('a bracketed response code alone, an unknown level of it falling back', () => {
    expect(keys('[LOGIN-DELAY]')).toEqual(['pop3.code.LOGIN-DELAY']);
    expect(keys('[SYS/PERM/CORRUPT]')).toEqual(['pop3.code.SYS/PERM']);
    expect(keys('SYS/TEMP')).toEqual(['pop3.code.SYS/TEMP']);
  });
});

describe('CAPA tags and EHLO keywords', () => {
  it('a name in both gives both', () => {
    expect(keys('PIPELINING')).toEqual(['pop3.capa.PIPELINING', 'smtp.keyword.PIPELINING']);
    expect(keys('smtp pipelining')).toEqual(['smtp.keyword.PIPELINING']);
  });

  it('a tag that is also a command, and a tag or keyword with its parameters', () => {
    expect(keys('TOP')).toEqual(['pop3.command.TOP', 'pop3.capa.TOP']);
    expect(keys('STLS')).toEqual(['pop3.command.STLS', 'pop3.capa.STLS']);
    expect(keys('SASL PLAIN CRAM-MD5')).toEqual(['pop3.capa.SASL']);
    expect(keys('LOGIN-DELAY 900')).toEqual(['pop3.capa.LOGIN-DELAY', 'pop3.code.LOGIN-DELAY']);
    expect(keys('8bitmime')).toEqual(['smtp.keyword.8BITMIME']);
    expect(keys('AUTH=LOGIN')).toEqual(['pop3.command.AUTH', 'smtp.command.AUTH', 'smtp.keyword.AUTH', 'pop3.code.AUTH']);
  });
});

describe('catalogue keys and blanks', () => {
  it('a key is its entry', () => {
    expect(keys('smtp.warning.bare-lf-command')).toEqual(['smtp.warning.bare-lf-command']);
    expect(keys('pop3.state.UPDATE')).toEqual(['pop3.state.UPDATE']);
  });

  it('blanks are trimmed and collapsed', () => {
    expect(explain('   pop3    QUIT  ').query).toBe('pop3 QUIT');
    expect(keys('   pop3    QUIT  ')).toEqual(['pop3.command.QUIT']);
    expect(explain('  ')).toEqual({ query: '', entries: [], suggestions: [] });
  });
});

describe('nothing found', () => {
  it('suggests close names', () => {
    const result = explain('RETT');
    expect(result.entries).toEqual([]);
    expect(result.suggestions).toContain('RETR');
    expect(explain('PIPELINNG').suggestions).toContain('PIPELINING');
    expect(explain('TRANSACTON').suggestions).toContain('TRANSACTION');
  });

  it('suggestions respect a protocol in front', () => {
    const result = explain('pop3 EHLO');
    expect(result.entries).toEqual([]);
    expect(result.suggestions).not.toContain('EHLO');
  });

  it('says what can be asked when nothing is close', () => {
    const result = explain('xyzzy-plugh');
    expect(result.suggestions).toEqual([]);
    expect(renderNoEntry(result)).toMatch(/^no entry for "xyzzy-plugh"; try a command .*\(354/);
    expect(renderNoEntry(explain('RETT'))).toBe('no entry for "RETT"; did you mean RETR?');
  });
});

describe('renderEntry', () => {
  it('a command: title and kind, syntax, states, RFC, summary, historic note', () => {
    const text = renderEntry(lookup('pop3.command.LAST')!);
    const lines = text.split('\n');
    expect(lines[0]).toBe('LAST  (POP3 command)');
    expect(lines[1]).toBe('  syntax:   LAST');
    expect(lines[2]).toBe('  states:   TRANSACTION');
    expect(lines[3]).toBe('  see:      RFC 1460 §5');
    expect(text).toMatch(/Historic: LAST was removed by RFC 1725/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('a reply code: no syntax or states', () => {
    const text = renderEntry(lookup('smtp.reply.354')!);
    expect(text.split('\n').slice(0, 2)).toEqual(['354 Start mail input  (SMTP reply code)', '  see:      RFC 5321 §4.1.1.4']);
    expect(text).not.toMatch(/syntax:|states:|Historic/);
  });

  it('wraps on word boundaries', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});

describe('what the course reads on the wire beyond commands and replies', () => {
  it('the anti-abuse codes of RFC 7372 the beginner track shows', () => {
    expect(keys('5.7.23')).toEqual(['smtp.enhanced.5.7.23']);
    expect(keys('550 5.7.26 Unauthenticated email is not accepted')).toContain('smtp.enhanced.5.7.26');
    expect(lookup('smtp.enhanced.5.7.20')?.rfc).toBe('RFC 7372 §3');
  });

  it('header fields by name, in any case, alone or as a whole header line', () => {
    expect(keys('Authentication-Results')).toEqual(['mail.header.Authentication-Results']);
    expect(keys('authentication-results: mx.example.net; spf=pass')).toEqual(['mail.header.Authentication-Results']);
    expect(keys('DKIM-Signature')).toEqual(['mail.header.DKIM-Signature']);
    expect(keys('Return-Path: <>')).toEqual(['mail.header.Return-Path']);
    // A command is still a command.
    expect(keys('RETR')).toEqual(['pop3.command.RETR']);
  });
});
