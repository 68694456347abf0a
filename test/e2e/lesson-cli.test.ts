/** `maillab lesson list | check | play` as a user runs them: the compiled CLI in a child process. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMaillab } from '../helpers/maillab-cli.js';

const LESSONS = join(__dirname, '../../lessons');
const temp = mkdtempSync(join(tmpdir(), 'maillab-lessons-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A folder holding one lesson file with `edit` applied. */
function folderWith(name: string, source: string, edit: (text: string) => string): string {
  const folder = mkdtempSync(join(temp, `${name}-`));
  writeFileSync(join(folder, `${name}.lesson`), edit(readFileSync(join(LESSONS, source), 'utf8')));
  return folder;
}

describe('maillab lesson list', () => {
  it('prints each lesson in 80 columns: id, protocol and mode, then the title and RFC indented', async () => {
    const result = await runMaillab(['lesson', 'list']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(expect.arrayContaining(['rfc1939-s10', 'rfc1939-stat', 'rfc5321-d1', 'rfc5321-d2', 'rfc5034-digest-md5']));
    const at = lines.findIndex((line) => line.startsWith('rfc1939-s10 '));
    expect(lines[at]).toMatch(/^rfc1939-s10 +pop3 +replay$/);
    expect(lines[at + 1]).toBe('    The example POP3 session, from greeting to QUIT (RFC 1939 §10)');
    expect(lines.find((line) => line.startsWith('rfc5034-digest-md5 '))).toMatch(/ pop3 +watch-only$/);
  });

  it('lists the lessons of another folder with --dir, and names the files that do not parse', async () => {
    const folder = folderWith('broken', 'rfc1939/stat.lesson', (text) => text.replace('protocol: pop3', 'protocol: imap'));
    cpSync(join(LESSONS, 'rfc5321/d2-aborted-transaction.lesson'), join(folder, 'd2.lesson'));
    const result = await runMaillab(['lesson', 'list', '--dir', folder]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^rfc5321-d2 /), expect.stringMatching(/^    An aborted SMTP transaction/)]);
    expect(result.stderr).toBe('broken.lesson:5: protocol "imap" is not pop3 or smtp\n');
  });
});

describe('maillab lesson check', () => {
  it('replays every lesson and exits 0 when all match', async () => {
    const result = await runMaillab(['lesson', 'check'], '', 60_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok {4}rfc1939-s10 \(9 steps in process, 9 steps over TCP\)$/m);
    expect(result.stdout).toMatch(/^ok {4}rfc5034-digest-md5 \(watch-only: parsed, not replayed\)$/m);
    expect(result.stdout).toMatch(/^(\d+) of \1 lessons replay as written$/m);
  });

  it('exits 1 on a broken copy, with the first difference, its file and line, expected and actual', async () => {
    const folder = folderWith('d1', 'rfc5321/d1-typical-transaction.lesson', (text) => text.replace('S: 550 No such user here', 'S: 550 No such user'));
    const line = readFileSync(join(folder, 'd1.lesson'), 'utf8').split('\n').indexOf('S: 550 No such user') + 1;
    const result = await runMaillab(['lesson', 'check', '--dir', folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      `FAIL  rfc5321-d1\nd1.lesson:${line}: in process: expected "550 No such user", got "550 No such user here"\n0 of 1 lesson replay as written\n`,
    );
  });

  it('checks over TCP too: a line the server never sends is reported after the reply timeout', async () => {
    const folder = folderWith('stat', 'rfc1939/stat.lesson', (text) => text.replace('S: +OK 2 320', 'S: +OK 2 320\nS: +OK again'));
    const result = await runMaillab(['lesson', 'check', 'rfc1939-stat', '--dir', folder, '--timeout', '1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^stat\.lesson:\d+: in process: expected "\+OK again", but the server sent nothing more$/m);
  });

  it('shows trailing blanks in a difference', async () => {
    const folder = folderWith('plain', 'rfc5034/auth-plain.lesson', (text) => text.replace('S: + \n', 'S: +\n'));
    const result = await runMaillab(['lesson', 'check', '--dir', folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: in process: expected "\+", got "\+·"$/m);
  });

  it('fails on a file that does not parse, with every problem and its line', async () => {
    const folder = folderWith('bad', 'rfc1939/stat.lesson', (text) => text.replace('user: mrose tanstaaf', 'user: mrose').replace('C: STAT', 'C:STAT'));
    const result = await runMaillab(['lesson', 'check', '--dir', folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}bad\.lesson \(does not parse\)\nbad\.lesson:11: write "user: NAME SECRET"/m);
    expect(result.stdout).toMatch(/^bad\.lesson:\d+: put one space after "C:"/m);
  });

  it('answers an unknown lesson id with one line and exit 1', async () => {
    const result = await runMaillab(['lesson', 'check', 'no-such-lesson']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^maillab: no lesson "no-such-lesson" \(maillab lesson list shows all \d+\)\n$/);
    // A near miss names the nearest ids, not all fifty.
    const near = await runMaillab(['lesson', 'play', 'rfc1939-ret']);
    expect(near.code).toBe(1);
    expect(near.stderr).toMatch(/^maillab: no lesson "rfc1939-ret"; did you mean rfc1939-retr, [^?]*\? \(maillab lesson list shows all \d+\)\n$/);
    expect(near.stderr.split(',').length).toBeLessThanOrEqual(5);
    expect((await runMaillab(['lesson', 'play', 'retr'])).stderr).toContain('did you mean rfc1939-retr?');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('maillab lesson play', () => {
  it('without a terminal, prints the whole annotated transcript and exits', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc5321-d1']);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Lesson rfc5321-d1: A typical SMTP transaction: three recipients, one refused \(RFC 5321 Appendix D\.1\)\n/);
    expect(out).toContain('--- a new connection to foo.com (SMTP) ---');
    expect(out).toContain('Smith at bar.com sends one message to Jones, Green and Brown');
    expect(out).toMatch(/C: RCPT TO:<Green@foo\.com>\n {3}= RCPT[^\n]*\n {3}error UNKNOWN_USER[^\n]*\nS: 550 No such user here\n {3}= 550 Requested action not taken/);
    expect(out).toMatch(/ {3}state DATA -> READY: end of data/);
    expect(out.trim().endsWith('End of the lesson.')).toBe(true);
  });

  it('every explanation follows the line it explains, a transition the line that caused it', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc1939-retr']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    // The narration sits between RETR and its reply; the +OK note waits for the +OK line.
    expect(at(/^S: \+OK 120 octets$/)).toBeGreaterThan(0);
    expect(at(/^ {3}= \+OK: /)).toBeGreaterThan(at(/^S: \+OK 120 octets$/));
    expect(at(/^ {3}state TRANSACTION -> CLOSED/)).toBe(at(/^S: \.$/) + 1);
  });

  it('plays a watch-only lesson from its text, saying why', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc5034-digest-md5']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Watch-only lesson, shown as the RFC prints it and annotated, not replayed: the lab offers SASL PLAIN');
    expect(result.stdout).toContain('= SASL challenge (POP3): rspauth=0b971462cef5e8f930db9a33b02fc9a0');
  });

  it('practice reads the learner\'s lines from stdin: hints for wrong ones, replies for right ones', async () => {
    const input = ['STAT', 'apop mrose c4c9334bac560ecc979e58001b3e22fb', '/reveal', 'stat', 'list', 'retr 1', 'dele 1', 'retr 2', 'dele 2', 'quit', ''].join('\n');
    const result = await runMaillab(['lesson', 'play', 'rfc1939-s10', '--mode', 'practice'], input);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('STAT is only valid in the TRANSACTION state (RFC 1939 §5); the session is in AUTHORIZATION, so the server would refuse it. The lab is back as it was before your line. Type /reveal to see the expected line.');
    // The wrong line reached the server: its real refusal is shown before the hint.
    expect(result.stdout).toMatch(/^C: STAT\n(?: {3}[^\n]*\n)*S: -ERR STAT is only valid in TRANSACTION state/m);
    expect(result.stdout).toMatch(/^C: apop mrose c4c9334bac560ecc979e58001b3e22fb\n {3}= APOP[^\n]*\nS: \+OK mrose's maildrop has 2 messages \(320 octets\)$/m);
    expect(result.stdout).toContain("The lesson's next line: STAT");
    expect(result.stdout).toContain('S: +OK dewey POP3 server signing off (maildrop empty)');
    expect(result.stdout.trim().endsWith('Well done: you typed every line of the lesson.\nScore: 6/8 steps right the first time; lines answered otherwise and undone: 1; lines revealed: 1.')).toBe(true);
  });

  it('step mode needs a terminal; a bad speed is refused', async () => {
    const step = await runMaillab(['lesson', 'play', 'rfc1939-s10', '--mode', 'step']);
    expect(step.code).toBe(1);
    expect(step.stderr).toBe('maillab: step mode needs a terminal; without one, use --mode watch (or --mode practice with the lines on stdin)\n');
    const speed = await runMaillab(['lesson', 'play', 'rfc1939-s10', '--speed', 'fast']);
    expect(speed.code).not.toBe(0);
    expect(speed.stderr).toMatch(/^maillab: option '--speed <lines-per-second>' argument 'fast' is invalid/);
  });
});

describe('the lesson in README.md', () => {
  it('replays as written, so the documentation stays true', async () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const block = /```\n(# lessons\/mine\/stat\.lesson\n[\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const folder = mkdtempSync(join(tmpdir(), 'maillab-readme-lesson-'));
    try {
      mkdirSync(join(folder, 'mine'));
      writeFileSync(join(folder, 'mine', 'stat.lesson'), block![1]!);
      const result = await runMaillab(['lesson', 'check', '--dir', folder]);
      expect(result.stdout).toMatch(/^ok {4}my-stat /m);
      expect(result.code).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('maillab lesson play shows the wire in order (issue 9)', () => {
  it('rfc1939-retr: the +OK note right after "S: +OK", the message lines, and the transition after the final "."', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc1939-retr']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const ok = lines.indexOf('S: +OK 120 octets');
    expect(lines[ok + 1]).toMatch(/^ {3}= \+OK: /);
    expect(lines[ok + 2]).toBe('S: Subject: message 1');
    expect(result.stdout).not.toMatch(/\{message \d\}/);
    const dot = lines.indexOf('S: .');
    expect(lines.findIndex((line) => line.includes('state TRANSACTION -> CLOSED'))).toBe(dot + 1);
  });

  it('rfc1939-s10 shows message 2 itself, not its placeholder; rfc4954-external says no "undefined"', async () => {
    const s10 = await runMaillab(['lesson', 'play', 'rfc1939-s10']);
    expect(s10.stdout).not.toContain('{message');
    expect(s10.stdout).toMatch(/^S: Subject: message 2$/m);
    // "+OK" is explained once, not under every reply.
    expect(s10.stdout.match(/^ {3}= \+OK/gm)).toHaveLength(1);
    const external = await runMaillab(['lesson', 'play', 'rfc4954-external']);
    expect(external.code).toBe(0);
    expect(external.stdout).not.toMatch(/from undefined|undefined to/);
  });

  it('rfc3030-s4.1-chunking: the BDAT chunk is a chunk (no "."), explained after the BDAT line that announced it', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc3030-s4.1-chunking']);
    const lines = result.stdout.split('\n');
    const bdat = lines.indexOf('C: BDAT 86 LAST');
    expect(lines[bdat + 1]).toMatch(/^ {3}= BDAT: /);
    expect(lines.slice(bdat + 2, bdat + 6)).toEqual(['C: To: Susan@random.com', 'C: From: Sam@random.com', 'C: Subject: This is a bodyless test message', '   (end of the BDAT chunk: 86 octets, counted by the BDAT command, no "." line)']);
    expect(result.stdout).not.toMatch(/then "\."\)/);
  });

  it('rfc3030-s4.1-chunking: each transition follows the line that caused it: RCPT -> BDAT the chunk, BDAT -> READY the 250', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc3030-s4.1-chunking']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const chunkEnd = lines.findIndex((line) => line.startsWith('   (end of the BDAT chunk'));
    expect(lines.slice(chunkEnd + 1, chunkEnd + 4)).toEqual([
      '   state RCPT -> BDAT: first BDAT chunk received (RFC 3030 §2)',
      'S: 250 Message OK, 86 octets received',
      '   state BDAT -> READY: BDAT LAST: the message is stored and the transaction is over (RFC 3030 §2)',
    ]);
    // Every other transition of the lesson comes right after a server line (or the notes under it).
    for (const [index, line] of lines.entries()) {
      if (!line.startsWith('   state ') || index === chunkEnd + 1) continue;
      const wire = lines.slice(0, index).reverse().find((earlier) => /^[CS]: /.test(earlier));
      expect(wire, line).toMatch(/^S: /);
    }
  });
});

describe('maillab lesson play: SASL notes follow the server line they explain (issue 9)', () => {
  it('rfc4954-auth-plain: the decoded challenge after "S: 334", "authenticated as" after "S: 235"', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc4954-auth-plain']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const challenge = lines.findIndex((line) => line.startsWith('   = SASL challenge (SMTP)'));
    expect(lines[challenge]).toBe('   = SASL challenge (SMTP): (empty) (RFC 4954 §4)');
    expect(lines.slice(0, challenge).reverse().find((line) => /^[CS]: /.test(line))).toBe('S: 334 ');
    for (const [index, line] of lines.entries()) {
      if (!line.startsWith('   = Authenticated (SMTP)')) continue;
      expect(lines.slice(0, index).reverse().find((earlier) => /^[CS]: /.test(earlier))).toMatch(/^S: 235 /);
    }
  });

  it('rfc2195-cram-md5: the POP3 challenge after its "+ " line', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc2195-cram-md5']);
    const lines = result.stdout.split('\n');
    const challenge = lines.findIndex((line) => line.startsWith('   = SASL challenge (POP3): <1896.697170952@postoffice.reston.mci.net>'));
    expect(lines.slice(0, challenge).reverse().find((line) => /^[CS]: /.test(line))).toBe('S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+');
  });
});

describe('maillab lesson play: a lab fault\'s note follows the reply it scripted (issue 9)', () => {
  it('beginner-12: the prediction is asked before anything names the reply; the fault note comes after "S: 452"', async () => {
    const result = await runMaillab(['lesson', 'play', 'beginner-12-when-delivery-fails-later']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const predict = lines.findIndex((line) => line.startsWith('   ? Predict: which three-digit code'));
    const rcpt = lines.slice(0, predict).lastIndexOf('C: RCPT TO:<bob@example.net>');
    expect(rcpt).toBeGreaterThan(0);
    expect(lines.slice(rcpt, predict).join('\n')).not.toContain('452');
    const fault = lines.findIndex((line) => line.startsWith('   !! WARNING Fault injected by the lab: RCPT -> "452'));
    expect(lines.slice(0, fault).reverse().find((line) => /^[CS]: /.test(line))).toBe('S: 452 4.2.2 Mailbox full, try again later');
  });
});

describe('maillab lesson play --annotations (issue 9)', () => {
  const wireLines = (stdout: string) => stdout.split('\n').filter((line) => /^[CS]: /.test(line));
  const notes = (stdout: string) => stdout.split('\n').filter((line) => /^ {3}(=|\+|state |!!)/.test(line));

  it('full, brief and off show the same wire; brief shortens each explanation to one title, off leaves them out', async () => {
    const play = (level: string) => runMaillab(['lesson', 'play', 'rfc1939-s10', '--annotations', level]);
    const [full, brief, off] = await Promise.all([play('full'), play('brief'), play('off')]);
    for (const result of [full, brief, off]) expect(result.code).toBe(0);
    expect(wireLines(brief.stdout)).toEqual(wireLines(full.stdout));
    expect(wireLines(off.stdout)).toEqual(wireLines(full.stdout));
    expect(full.stdout).toMatch(/^ {3}= STAT: .+ \(RFC 1939 §5\)$/m);
    expect(brief.stdout).toMatch(/^ {3}= STAT \(RFC 1939 §5\)$/m);
    expect(brief.stdout.length).toBeLessThan(full.stdout.length);
    expect(notes(off.stdout)).toEqual([]);
    // The narration is the lesson's, not an annotation: it stays at every level.
    expect(off.stdout).toContain('Lesson rfc1939-s10');
  });

  it('refuses a level it does not know', async () => {
    const result = await runMaillab(['lesson', 'play', 'rfc1939-s10', '--annotations', 'some']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--annotations.*full, brief, off/);
  });
});
