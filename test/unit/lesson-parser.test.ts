import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../core/lessons/lesson.js';
import { formatProblems, parseLesson } from '../../core/lessons/parse-lesson.js';
import { stuffBody } from '../../core/framing/dot-stuffing.js';
import { messageOfSize } from '../helpers/pop3-harness.js';

const HEAD = ['id: demo', 'title: A demo', 'protocol: pop3', 'rfc: RFC 1939 §10'];
const GREETING = ['== session ==', 'S: +OK ready'];

function parse(lines: readonly string[]): Lesson {
  const result = parseLesson(lines.join('\n'));
  if (!result.ok) throw new Error(formatProblems(result.problems, 'test.lesson'));
  return result.lesson;
}

/** The problems of a lesson that must not parse, as "line: message". */
function problems(lines: readonly string[]): string[] {
  const result = parseLesson(lines.join('\n'));
  if (result.ok) throw new Error('expected the lesson not to parse');
  return result.problems.map((problem) => `${problem.line}: ${problem.message}`);
}

describe('lesson header: the lesson fields', () => {
  it('reads id, title, protocol, rfc, and defaults to replay mode', () => {
    const lesson = parse([...HEAD, ...GREETING]);
    expect(lesson).toMatchObject({ id: 'demo', title: 'A demo', protocol: 'pop3', rfc: 'RFC 1939 §10', mode: 'replay' });
    expect(lesson.reason).toBeUndefined();
  });

  it('reads watch-only with its reason, and case-insensitive keys', () => {
    const lesson = parse(['ID: demo', 'Title: A demo', 'PROTOCOL: SMTP', 'rfc: RFC 5321', 'mode: watch-only', 'reason: no such mechanism', ...GREETING]);
    expect(lesson).toMatchObject({ protocol: 'smtp', mode: 'watch-only', reason: 'no such mechanism' });
  });

  it('reads users with secrets that may hold spaces, and full names', () => {
    const lesson = parse([...HEAD, 'user: mrose tanstaaf', 'user: Admin.MRC two words', 'full-name: Admin.MRC Mark Crispin', ...GREETING]);
    expect(lesson.users).toEqual([
      { name: 'mrose', secret: 'tanstaaf', line: 5 },
      { name: 'Admin.MRC', secret: 'two words', fullName: 'Mark Crispin', line: 6 },
    ]);
  });

  it('builds messages of an exact size, numbered in order, with uid and seen flags', () => {
    const lesson = parse([...HEAD, 'user: mrose x', 'message: mrose 120 uid=whqtswO00WBw418f9t5JxYwZ', 'message: mrose 200 seen', ...GREETING]);
    expect(lesson.messages.map((message) => [message.number, message.bytes.length, message.uid, message.seen, message.line])).toEqual([
      [1, 120, 'whqtswO00WBw418f9t5JxYwZ', false, 6],
      [2, 200, undefined, true, 7],
    ]);
    expect(lesson.messages[0]!.bytes.toString()).toBe(messageOfSize(120, 'message 1'));
  });

  it('reads inline messages from ">" lines, CRLF added, ">" alone an empty line', () => {
    const lesson = parse([...HEAD, 'user: alice x', 'message: alice uid=abc', '> Subject: hi', '>', '> .dot first', '', ...GREETING]);
    expect(lesson.messages[0]!.bytes.toString()).toBe('Subject: hi\r\n\r\n.dot first\r\n');
    expect(lesson.messages[0]!.uid).toBe('abc');
  });

  it('reads locked maildrops', () => {
    expect(parse([...HEAD, 'user: mrose x', 'locked: mrose', ...GREETING]).locked).toEqual(['mrose']);
  });
});

describe('lesson header: the server persona', () => {
  it('reads every POP3 field', () => {
    const [server] = parse([
      ...HEAD,
      'host: dewey',
      'greeting: POP3 server ready',
      'timestamp: <1896.697170952@dbc.mtview.ca.us>',
      'challenge: <1.2@example.net>',
      'wording: rfc1939',
      'text.user-ok: {user} is a real hoopy frood',
      'text.sign-off-update: bye ({left})',
      'capabilities: TOP, SASL CRAM-MD5 KERBEROS_V4, LOGIN-DELAY 900',
      'response-codes: off',
      'reveal-unknown-users: on',
      'fault: RETR -> "-ERR [SYS/TEMP] disk on fire" after 1',
      ...GREETING,
    ]).servers;
    expect(server).toMatchObject({
      name: '',
      protocol: 'pop3',
      host: 'dewey',
      greeting: 'POP3 server ready',
      timestamp: '<1896.697170952@dbc.mtview.ca.us>',
      challenge: '<1.2@example.net>',
      wording: 'rfc1939',
      capabilities: ['TOP', 'SASL CRAM-MD5 KERBEROS_V4', 'LOGIN-DELAY 900'],
      responseCodes: false,
      revealUnknownUsers: true,
    });
    expect(server!.texts).toEqual([
      { key: 'userOk', template: '{user} is a real hoopy frood', line: 10 },
      { key: 'signOffUpdate', template: 'bye ({left})', line: 11 },
    ]);
    expect(server!.faults).toEqual([expect.objectContaining({ command: 'RETR', after: 1, action: { kind: 'reply', text: '-ERR [SYS/TEMP] disk on fire' } })]);
  });

  it('reads login-delay in seconds and refuses anything else', () => {
    expect(parse([...HEAD, 'login-delay: 900', ...GREETING]).servers[0]).toMatchObject({ loginDelaySeconds: 900 });
    const broken = parseLesson([...HEAD, 'login-delay: soon', ...GREETING].join('\n'), 'x.lesson');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(formatProblems(broken.problems, 'x.lesson')).toMatch(/login-delay "soon" is not a number of seconds/);
  });

  it('reads last-after-rset (RFC 1081 or RFC 1460 LAST) and refuses other values with the line number', () => {
    expect(parse([...HEAD, 'last-after-rset: initial', ...GREETING]).servers[0]).toMatchObject({ lastAfterRset: 'initial' });
    const broken = parseLesson([...HEAD, 'last-after-rset: sometimes', ...GREETING].join('\n'), 'x.lesson');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(formatProblems(broken.problems, 'x.lesson')).toMatch(/x\.lesson:\d+: last-after-rset is "zero" \(RFC 1460\) or "initial" \(RFC 1081\), not "sometimes"/);
  });

  it('reads "timestamp: off" as no timestamp and "capabilities: none" as an empty list', () => {
    const [server] = parse([...HEAD, 'timestamp: off', 'capabilities: none', ...GREETING]).servers;
    expect(server).toMatchObject({ timestamp: '', capabilities: [] });
  });

  it('reads every SMTP field', () => {
    const [server] = parse([
      'id: d1',
      'title: D.1',
      'protocol: smtp',
      'rfc: RFC 5321 Appendix D.1',
      'host: foo.com',
      'greeting: {host} Simple Mail Transfer Service Ready',
      'wording: rfc5321',
      'text.rcpt-unknown: No such user here',
      'capabilities: 8BITMIME, SIZE, DSN, HELP',
      'enhanced-status-codes: off',
      'domain: foo.com',
      'domain: Foo.Org',
      'relay: on',
      'verify: on',
      'list: staff a@foo.com, b@foo.com',
      'listener: submission',
      'max-message-size: 1000',
      'fault: smtp:RCPT -> "450 4.2.1 Mailbox busy" probability 0.5',
      ...GREETING,
    ]).servers;
    expect(server).toMatchObject({
      protocol: 'smtp',
      host: 'foo.com',
      greeting: '{host} Simple Mail Transfer Service Ready',
      wording: 'rfc5321',
      texts: [{ key: 'rcptUnknown', template: 'No such user here', line: 8 }],
      capabilities: ['8BITMIME', 'SIZE', 'DSN', 'HELP'],
      enhancedStatusCodes: false,
      domains: ['foo.com', 'foo.org'],
      relay: true,
      verify: true,
      lists: { staff: ['a@foo.com', 'b@foo.com'] },
      listener: 'submission',
      maxMessageSize: 1000,
    });
    expect(server!.faults[0]).toMatchObject({ protocol: 'smtp', command: 'RCPT', probability: 0.5 });
  });

  it('server blocks start from the header persona; block fields replace it; a block may serve the other protocol', () => {
    const lesson = parse([
      'id: d3',
      'title: D.3',
      'protocol: smtp',
      'rfc: RFC 5321 Appendix D.3',
      'wording: rfc5321',
      'enhanced-status-codes: off',
      'domain: example.org',
      'text.quit: bye',
      '== server foo.com ==',
      'host: foo.com',
      'relay: on',
      '== server xyz.com ==',
      'host: xyz.com',
      'domain: xyz.com',
      'text.ehlo: {host} is on the air',
      '== server pop ==',
      'protocol: pop3',
      'host: pop.xyz.com',
      '== session foo.com ==',
      'S: 220 hi',
      '== session xyz.com ==',
      'S: 220 hi',
      '== session pop ==',
      'S: +OK hi',
    ]);
    const [foo, xyz, pop] = lesson.servers;
    expect(foo).toMatchObject({ name: 'foo.com', protocol: 'smtp', host: 'foo.com', relay: true, wording: 'rfc5321', enhancedStatusCodes: false, domains: ['example.org'] });
    expect(foo!.texts.map((text) => text.key)).toEqual(['quit']);
    expect(xyz).toMatchObject({ name: 'xyz.com', host: 'xyz.com', domains: ['xyz.com'] });
    expect(xyz!.texts.map((text) => text.key)).toEqual(['quit', 'ehlo']);
    // A server of the other protocol starts from the defaults, not from the header's SMTP wording.
    expect(pop).toMatchObject({ name: 'pop', protocol: 'pop3', host: 'pop.xyz.com', texts: [], domains: [] });
    expect(pop!.wording).toBeUndefined();
    expect(lesson.sessions.map((session) => session.server)).toEqual(['foo.com', 'xyz.com', 'pop']);
  });
});

describe('the transcript', () => {
  it('cuts it into steps: narration, the client lines sent together, the server lines after them', () => {
    const lesson = parse([...HEAD, 'user: mrose x', 'message: mrose 120', '== session ==', 'The greeting.', '', 'S: +OK ready', 'Say STAT.', 'second line', '', 'next paragraph', 'C: STAT', 'S: +OK 1 120', 'C: NOOP', 'C: NOOP', 'S: +OK', 'S: +OK', 'The end.']);
    const steps = lesson.sessions[0]!.steps;
    expect(steps.map((step) => [step.narration, step.client.map((line) => line.text), step.server.map((line) => line.text)])).toEqual([
      [['The greeting.'], [], ['+OK ready']],
      [['Say STAT.', 'second line', '', 'next paragraph'], ['STAT'], ['+OK 1 120']],
      [[], ['NOOP', 'NOOP'], ['+OK', '+OK']],
      [['The end.'], [], []],
    ]);
    expect(steps[1]!.client[0]!.line).toBe(15);
  });

  it('takes the line after "S: " byte for byte: blanks kept, "C:" alone an empty line, indentation before S: allowed', () => {
    const lesson = parse([...HEAD, '== session ==', '      S: + ', 'C:     05:33:29 -0700', 'C:', '\tS: {{message 1}']);
    const [first, second] = lesson.sessions[0]!.steps;
    expect(first!.server.map((line) => line.text)).toEqual(['+ ']);
    expect(second!.client.map((line) => line.text)).toEqual(['    05:33:29 -0700', '']);
    expect(second!.server.map((line) => line.text)).toEqual(['{message 1}']);
  });

  it('expands {message N}, the RFC wording, and {top N L} to byte-stuffed lines', () => {
    const lesson = parse([...HEAD, 'user: a x', 'message: a', '> Subject: s', '>', '> .hidden dot', '> body 2', 'message: a 120', '== session ==', 'S: +OK', 'C: RETR 1', 'S: {message 1}', 'S: <the POP3 server sends message 2>', 'S: {top 1 1}']);
    const step = lesson.sessions[0]!.steps[1]!;
    const second = stuffBody(Buffer.from(messageOfSize(120, 'message 2'))).toString().split('\r\n').slice(0, -2);
    expect(step.server.map((line) => line.text)).toEqual(['Subject: s', '', '..hidden dot', 'body 2', ...second, 'Subject: s', '', '..hidden dot']);
    expect(step.server[0]).toMatchObject({ line: 15, placeholder: '{message 1}' });
    expect(step.server[4]).toMatchObject({ line: 16, placeholder: '<the POP3 server sends message 2>' });
  });

  it('marks hidden steps, and carries narration written before a hidden block to the next shown step', () => {
    const lesson = parse([...HEAD, '== session ==', 'Logged in already.', '== hidden ==', 'S: +OK hi', 'C: USER a', 'S: +OK', '== shown ==', 'C: STAT', 'S: +OK 0 0']);
    const steps = lesson.sessions[0]!.steps;
    expect(steps.map((step) => [step.hidden, step.narration])).toEqual([
      [true, []],
      [true, []],
      [false, ['Logged in already.']],
    ]);
  });

  it('keeps comments out, in the header and in the transcript', () => {
    const lesson = parse(['# a comment', ...HEAD, '# another', '== session ==', '# not narration', 'S: +OK']);
    expect(lesson.sessions[0]!.steps).toHaveLength(1);
    expect(lesson.sessions[0]!.steps[0]!.narration).toEqual([]);
  });
});

describe('malformed lessons: every problem, with its line number', () => {
  const cases: [string, readonly string[], string][] = [
    ['an unknown field', [...HEAD, 'colour: blue', ...GREETING], '5: unknown field "colour:"'],
    ['a field given twice', [...HEAD, 'host: a', 'host: b', ...GREETING], '6: "host:" is given twice (first on line 5)'],
    ['a missing title', ['id: x', 'protocol: pop3', 'rfc: r', ...GREETING], '1: the header needs "title:"'],
    ['a bad id', ['id: no spaces', 'title: t', 'protocol: pop3', 'rfc: r', ...GREETING], '1: id "no spaces" may hold only'],
    ['an unknown protocol', ['id: x', 'title: t', 'protocol: imap', 'rfc: r', ...GREETING], '3: protocol "imap" is not pop3 or smtp'],
    ['an unknown mode', [...HEAD, 'mode: live', ...GREETING], '5: mode "live" is not replay or watch-only'],
    ['watch-only without a reason', [...HEAD, 'mode: watch-only', ...GREETING], '5: a watch-only lesson needs "reason:"'],
    ['a reason on a replay lesson', [...HEAD, 'reason: because', ...GREETING], '5: "reason:" is only for watch-only lessons'],
    ['a user without a secret', [...HEAD, 'user: mrose', ...GREETING], '5: write "user: NAME SECRET"'],
    ['a user name that is no mailbox name', [...HEAD, 'user: ../x y', ...GREETING], '5: "../x" is not a mailbox name'],
    ['a user listed twice', [...HEAD, 'user: a x', 'user: a y', ...GREETING], '6: user "a" is listed twice'],
    ['a full name for nobody', [...HEAD, 'full-name: bob Bob B', ...GREETING], '5: full-name: names "bob", who is not a user:'],
    ['a message for nobody', [...HEAD, 'message: bob 120', ...GREETING], '5: message: names "bob", who is not a user:'],
    ['a message with a stray word', [...HEAD, 'user: a x', 'message: a 120 unread', ...GREETING], '6: unexpected "unread" in message:'],
    ['a bad uid', [...HEAD, 'user: a x', `message: a 120 uid=${'u'.repeat(71)}`, ...GREETING], '6: uid "uuu'],
    ['a message too small to build', [...HEAD, 'user: a x', 'message: a 10', ...GREETING], '6: a message of 10 octets is too small to build; the smallest is 24'],
    ['a message with neither size nor text', [...HEAD, 'user: a x', 'message: a', ...GREETING], '6: this message has neither a size nor text'],
    ['a ">" line after no message', [...HEAD, '> stray', ...GREETING], '5: a ">" line is message text'],
    ['a locked maildrop of nobody', [...HEAD, 'locked: bob', ...GREETING], '5: locked: names "bob", who is not a user:'],
    ['a header line that is not key: value', [...HEAD, 'just words', ...GREETING], '5: expected "key: value" in the header, found "just words"'],
    ['S: lines in the header', [...HEAD, 'S: +OK', ...GREETING], '5: S: lines belong in a transcript: start it with a "== session ==" line'],
    ['a host with a space', [...HEAD, 'host: two words', ...GREETING], '5: host "two words" must be one word'],
    ['an empty greeting', [...HEAD, 'greeting:', ...GREETING], '5: greeting: needs the greeting text'],
    ['a bad timestamp', [...HEAD, 'timestamp: 1896@host', ...GREETING], '5: timestamp "1896@host" must look like <1896.697170952@dbc.mtview.ca.us>'],
    ['a bad challenge', [...HEAD, 'challenge: plain', ...GREETING], '5: challenge "plain" must look like'],
    ['an unknown wording', [...HEAD, 'wording: rfc5321', ...GREETING], '5: unknown POP3 wording "rfc5321"; known: maillab, rfc1939, rfc5034'],
    ['an unknown text key', [...HEAD, 'text.mail-ok: OK', ...GREETING], '5: unknown POP3 text "mail-ok"; known: user-ok'],
    ['an empty capability', [...HEAD, 'capabilities: TOP, , UIDL', ...GREETING], '5: capabilities: lists the lines separated by commas'],
    ['a flag that is neither on nor off', [...HEAD, 'response-codes: yes', ...GREETING], '5: "response-codes:" is on or off, not "yes"'],
    ['an SMTP field on a POP3 server', [...HEAD, 'relay: on', ...GREETING], '5: "relay:" is for SMTP servers; this server speaks POP3'],
    ['a POP3 field on an SMTP server', ['id: x', 'title: t', 'protocol: smtp', 'rfc: r', 'timestamp: off', ...GREETING], '5: "timestamp:" is for POP3 servers; this server speaks SMTP'],
    ['a bad domain', ['id: x', 'title: t', 'protocol: smtp', 'rfc: r', 'domain: not a domain', ...GREETING], '5: "not a domain" is not a domain name'],
    ['a bad list', ['id: x', 'title: t', 'protocol: smtp', 'rfc: r', 'list: staff nobody', ...GREETING], '5: write "list: NAME user@domain, Full Name <user@domain>, …"'],
    ['a bad listener', ['id: x', 'title: t', 'protocol: smtp', 'rfc: r', 'listener: relay', ...GREETING], '5: listener "relay" is not mta or submission'],
    ['a bad size limit', ['id: x', 'title: t', 'protocol: smtp', 'rfc: r', 'max-message-size: 10k', ...GREETING], '5: max-message-size "10k" is not a positive number'],
    ['a fault that does not parse', [...HEAD, 'fault: RETR => drop', ...GREETING], '5: fault: expected "->" after RETR'],
    ['a fault for the other protocol', [...HEAD, 'fault: smtp:RSET -> drop', ...GREETING], '5: this fault is for SMTP, but the server speaks POP3'],
    ['a fault for a command the server does not have', [...HEAD, 'fault: RCPT -> drop', ...GREETING], '5: RCPT is not a POP3 command: this fault could never apply'],
    ['a server block after a session', [...HEAD, ...GREETING, '== server late ==', 'host: x'], '7: server blocks come before the first "== session ==" line'],
    ['a server block without a name', [...HEAD, '== server ==', ...GREETING], '5: a server block needs a name'],
    ['a server defined twice', [...HEAD, '== server a ==', '== server a ==', '== session a ==', 'S: +OK'], '6: server "a" is defined twice'],
    ['a lesson field in a server block', [...HEAD, '== server a ==', 'user: mrose x', '== session a ==', 'S: +OK'], '6: "user:" belongs in the lesson header'],
    ['an unknown field in a server block', [...HEAD, '== server a ==', 'colour: red', '== session a ==', 'S: +OK'], '6: unknown field "colour:"'],
    ['an unknown section', [...HEAD, '== chapter 1 ==', ...GREETING], '5: unknown section "== chapter 1 =="'],
    ['a hidden block outside a session', [...HEAD, '== hidden ==', ...GREETING], '5: "== hidden ==" belongs inside a session'],
    ['words after hidden', [...HEAD, ...GREETING, '== hidden please =='], '7: "== hidden ==" takes nothing after "hidden"'],
    ['a session naming an unknown server', [...HEAD, '== server a ==', '== session b ==', 'S: +OK'], '6: no server named "b"'],
    ['an unnamed session with server blocks', [...HEAD, '== server a ==', '== session ==', 'S: +OK'], '6: name the server this session talks to: "== session a =="'],
    ['a named session without server blocks', [...HEAD, '== session a ==', 'S: +OK'], '5: this lesson has one server'],
    ['no transcript at all', [...HEAD], '4: the lesson has no transcript'],
    ['no space after S:', [...HEAD, '== session ==', 'S:+OK'], '6: put one space after "S:"'],
    ['an unknown placeholder', [...HEAD, '== session ==', 'S: {message one}'], '6: unknown placeholder "{message one}"'],
    ['a placeholder for a message that is not there', [...HEAD, '== session ==', 'S: {message 3}'], '6: there is no message 3: the header declares 0 message: lines'],
    ['a client speaking first', [...HEAD, '== session ==', 'C: STAT', 'S: -ERR'], '6: a session starts with the server speaking'],
    ['a hidden block inside a hidden block', [...HEAD, ...GREETING, '== hidden ==', '== hidden =='], '8: already in a hidden block'],
    ['shown without hidden', [...HEAD, ...GREETING, '== shown =='], '7: "== shown ==" ends a hidden block, but none is open'],
    ['narration inside a hidden block', [...HEAD, ...GREETING, '== hidden ==', 'Secret words.'], '8: narration inside a hidden block would never be shown'],
    ['a session without lines', [...HEAD, '== session ==', 'Only words.'], '5: this session has no S: or C: lines'],
  ];
  it.each(cases)('%s', (_, lines, expected) => {
    expect(problems(lines)).toContainEqual(expect.stringContaining(expected));
  });

  it('reports every problem of a file at once, in line order', () => {
    const found = problems(['id: x', 'title: t', 'protocol: pop3', 'rfc: r', 'host: a b', 'mode: live', 'user: lonely', '== session ==', 'S:+OK', 'S: {top 1}']);
    // Line 8: with both of its lines refused, the session has no S: or C: lines left.
    expect(found.map((problem) => Number(problem.split(':')[0]))).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('formats problems as file:line: message', () => {
    const result = parseLesson([...HEAD, 'colour: blue', ...GREETING].join('\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatProblems(result.problems, 'x.lesson')).toBe('x.lesson:5: unknown field "colour:"; lessons/README.md lists the fields');
  });
});

describe('lesson lines with a bare CR', () => {
  it('are reported with their line number, not taken as narration', () => {
    const result = parseLesson(['id: cr', 'title: t', 'protocol: smtp', 'rfc: RFC 5321', '', '== session ==', 'S: 220 x', 'C: DATA\rsmuggled'].join('\n'), 'cr.lesson');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatProblems(result.problems, 'cr.lesson')).toMatch(/^cr\.lesson:8: this C: line holds a bare CR/m);
  });
});

describe('predictions: predict: code|state|verdict [question]', () => {
  const SMTP_HEAD = ['id: demo', 'title: A demo', 'protocol: smtp', 'rfc: RFC 5321'];
  const SMTP_GREETING = ['== session ==', 'S: 220 ready'];

  it('attaches to the next step, or to the step whose C: lines it follows; the question is optional', () => {
    const lesson = parse([...SMTP_HEAD, ...SMTP_GREETING, 'predict: CODE Which code?', 'C: NOOP', 'S: 250 OK', 'C: QUIT', 'predict: state', 'S: 221 bye']);
    const steps = lesson.sessions[0]!.steps;
    expect(steps[1]!.predict).toEqual({ kind: 'code', question: 'Which code?', line: 7 });
    expect(steps[2]!.predict).toEqual({ kind: 'state', line: 11 });
  });

  it('reports every misplaced or malformed prediction with its line', () => {
    expect(
      problems([
        ...SMTP_HEAD,
        ...SMTP_GREETING,
        'predict: colour',
        'C: NOOP',
        'S: 250 OK',
        'predict: code',
        'predict: verdict',
        'C: NOOP',
        'S: 250 OK',
        '== hidden ==',
        'predict: code',
        'C: NOOP',
        'S: 250 OK',
        '== shown ==',
        'predict: code',
        'C: NOOP',
        'S: not a reply',
        'predict: code',
        'C: QUIT',
        'Narration ends the step.',
        'C: NOOP',
        'S: 250 OK',
        'predict: verdict',
      ]),
    ).toEqual([
      '7: predict: "colour" is not code, state or verdict (write "predict: code Which code comes back?")',
      '11: one prediction per step: this step already has one',
      '15: a prediction inside a hidden block would never be asked; put it after "== shown =="',
      '19: predict: code needs a reply that starts with a three-digit code, and this step\'s S: lines have none',
      '22: this step has no S: lines: there is no reply to predict',
      '27: a prediction needs a step after it: the C: lines whose reply the learner predicts',
    ]);
  });

  it('POP3: a code is +OK or -ERR', () => {
    expect(problems([...HEAD, ...GREETING, 'predict: verdict', 'C: NOOP', 'S: 250 OK'])).toEqual([
      '7: predict: verdict needs a reply that starts with +OK or -ERR, and this step\'s S: lines have none',
    ]);
  });
});
