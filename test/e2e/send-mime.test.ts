/**
 * `maillab send` as a user runs it (the compiled bin/maillab in a child
 * process) to a real lab over submission, the message fetched back over POP3
 * by Python's poplib and parsed by an independent MIME parser (mailparser):
 * the GB2312 body, its charset label, the encoded subject, the HTML part and
 * the attachment's bytes come back identical. Also the CLI's one-line errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runPython } from '../helpers/python.js';
import { scaled } from '../helpers/time.js';

const BIN = resolve(__dirname, '../../bin/maillab');
const run = promisify(execFile);

let lab: TestLab;
let folder: string;

beforeAll(async () => {
  lab = await startTestLab();
  folder = mkdtempSync(join(tmpdir(), 'maillab-send-'));
});

afterAll(async () => {
  await lab?.stop();
  rmSync(folder, { recursive: true, force: true });
});

async function maillab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: scaled(20_000) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Every message in a user's maildrop, fetched with poplib (RETR), as base64 of the exact octets. */
async function fetchAll(user: string, password: string): Promise<Buffer[]> {
  const result = await runPython<string[]>(
    `
import base64, json, os, poplib
p = poplib.POP3('127.0.0.1', int(os.environ['PORT']))
p.user(os.environ['USER_NAME']); p.pass_(os.environ['PASSWORD'])
count, _ = p.stat()
out = []
for i in range(1, count + 1):
    _, lines, _ = p.retr(i)
    out.append(base64.b64encode(b'\\r\\n'.join(lines) + b'\\r\\n').decode())
p.quit()
print(json.dumps(out))`,
    { PORT: lab.pop3Port, USER_NAME: user, PASSWORD: password },
  );
  return result.map((text) => Buffer.from(text, 'base64'));
}

/** The lab's submission port with a login; --ca-file trusts the lab's self-signed certificate, so the password goes over TLS that verified. */
const SUBMISSION = () => ['--server', `smtp://127.0.0.1:${lab.submissionPort}`, '--auth', 'alice:wonderland', '--ca-file', join(lab.data.tlsFolder, 'cert.pem')];

describe('maillab send --server: MIME that survives the round trip', () => {
  it('GB2312 body, HTML alternative, attachment and a non-ASCII subject, fetched back over POP3', async () => {
    const text = '你好，鲍勃！\n这封信用 GB2312 编码。\n.一行以点开头\n';
    const html = '<html><body><p>你好，<b>鲍勃</b>！</p></body></html>\n';
    const attachment = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) % 256));
    writeFileSync(join(folder, 'body.txt'), text);
    writeFileSync(join(folder, 'page.html'), html);
    writeFileSync(join(folder, 'data.bin'), attachment);
    const subject = '测试 GB2312 — Grüße';

    const result = await maillab([
      'send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--subject', subject,
      '--body-file', join(folder, 'body.txt'), '--charset', 'GB2312', '--html', join(folder, 'page.html'),
      '--attach', join(folder, 'data.bin'), ...SUBMISSION(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^bob@maillab\\.test: accepted by 127\\.0\\.0\\.1:${lab.submissionPort}: 250 `, 'm'));

    const messages = await fetchAll('bob', 'builder');
    const raw = messages.find((bytes) => bytes.toString('latin1').includes('data.bin'));
    expect(raw).toBeDefined();
    const wire = raw!.toString('latin1');
    expect(wire).toMatch(/^Content-Type: multipart\/mixed;/m);
    expect(wire).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(wire).toMatch(/^Content-Type: text\/plain; charset=GB2312\r\n/m);
    expect(wire).toMatch(/^Content-Type: text\/html; charset=GB2312\r\n/m);

    const parsed = await simpleParser(raw!);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.text).toBe('alice@maillab.test');
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(text);
    expect(parsed.html && parsed.html.replace(/\r\n/g, '\n')).toBe(html);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.filename).toBe('data.bin');
    expect(parsed.attachments[0]!.content.equals(attachment)).toBe(true);
  });

  it('UTF-8 by default, over implicit TLS, with the transcript masking the password', async () => {
    const result = await maillab([
      'send', '--from', 'alice@maillab.test', '--to', 'mrose@maillab.test', '--cc', 'bob@maillab.test', '--subject', 'über TLS',
      '--body', 'Grüße über smtps', '--server', `smtps://127.0.0.1:${lab.smtpsPort}`, '--insecure', '--auth', 'alice:wonderland', '--transcript',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {3}TLS TLSv1\.[23] /m);
    expect(result.stdout).toMatch(/^C: AUTH PLAIN \*+$/m);
    expect(result.stdout).not.toContain(Buffer.from('\0alice\0wonderland').toString('base64'));
    expect(result.stdout).toMatch(/^C: \(\d+ lines?, \d+ octets, then "\."\)$/m);
    expect(result.stdout).toMatch(/^mrose@maillab\.test: accepted /m);
    expect(result.stdout).toMatch(/^bob@maillab\.test: accepted /m);
    const [message] = (await fetchAll('mrose', 'tanstaaf')).filter((bytes) => bytes.toString('latin1').includes('Subject: =?'));
    const parsed = await simpleParser(message!);
    expect(parsed.subject).toBe('über TLS');
    expect(parsed.text?.trim()).toBe('Grüße über smtps');
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.text : '').toBe('bob@maillab.test');
  });

  it('STARTTLS verifies the certificate unless --insecure', async () => {
    const base = ['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--body', 'x', '--starttls', '--server', `smtp://127.0.0.1:${lab.submissionPort}`, '--auth', 'alice:wonderland'];
    const strict = await maillab(base);
    expect(strict.code).toBe(29);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/^maillab: TLS with 127\.0\.0\.1:\d+ failed: the certificate does not verify: the certificate is self-signed .*\(--insecure accepts it; --ca-file FILE trusts its CA\)\n$/);
    const wrongName = await maillab([...base, '--ca-file', join(lab.data.tlsFolder, 'cert.pem'), '--servername', 'mail.example.org']);
    expect(wrongName.code).toBe(29);
    expect(wrongName.stderr).toMatch(/the certificate is for [^,]+, .* not mail\.example\.org/);
    const relaxed = await maillab([...base, '--insecure']);
    expect(relaxed.code).toBe(0);
  });

  it('a recipient the server refuses: its own line, exit 24', async () => {
    const result = await maillab(['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--to', 'nobody@maillab.test', '--body', 'x', ...SUBMISSION()]);
    expect(result.code).toBe(24);
    expect(result.stdout).toMatch(/^bob@maillab\.test: accepted by /m);
    expect(result.stdout).toMatch(/^nobody@maillab\.test: rejected by 127\.0\.0\.1:\d+: 550 5\.1\.1 /m);
    expect(result.stderr).toBe('maillab: 1 of 2 recipients were not accepted (exit status 24: a recipient was refused at RCPT TO)\n');
  });

  it('wrong credentials: one line from the server\'s own reply', async () => {
    const result = await maillab(['send', '--from', 'alice@maillab.test', '--to', 'bob@maillab.test', '--body', 'x', '--server', `smtp://127.0.0.1:${lab.submissionPort}`, '--auth', 'alice:wrong', '--ca-file', join(lab.data.tlsFolder, 'cert.pem')]);
    expect(result.code).toBe(28);
    expect(result.stdout).toMatch(/^bob@maillab\.test: rejected by .*: 535 5\.7\.8 /m);
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('maillab send: one-line errors', () => {
  const SENDER = ['--from', 'alice@maillab.test'];
  const cases: [string, () => Promise<string[]>, RegExp][] = [
    ['no --to', async () => ['send', ...SENDER, '--body', 'x', '--direct'], /^maillab: no recipient: give at least one --to ADDRESS$/],
    ['both --server and --direct', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--server', 'smtp://127.0.0.1:1', '--direct'], /^maillab: give either --server URL or --direct, not both$/],
    ['neither --server nor --direct', async () => ['send', ...SENDER, '--to', 'b@maillab.test'], /^maillab: say where to send: --server .* or --direct/],
    ['an unreadable body file', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--body-file', join(folder, 'missing.txt')], /^maillab: cannot read body file .*missing\.txt: no such file$/],
    ['an unreadable attachment', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--attach', folder], /^maillab: cannot read attachment .*: it is a folder$/],
    ['an HTML file that is a folder', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--html', folder], /^maillab: cannot read HTML file .*: it is a folder$/],
    ['an unknown charset', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--charset', 'klingon-8'], /^maillab: unknown charset "klingon-8"/],
    ['text the charset cannot hold', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--charset', 'iso-8859-1', '--body', '北京'], /^maillab: cannot build the message: the body has characters ISO-8859-1 cannot represent/],
    ['a character only GBK has, labelled GB2312', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--charset', 'gb2312', '--body', '你好镕'], /^maillab: cannot build the message: the body has characters GB2312 cannot represent \(first: "镕", only in its superset GBK\); use --charset gbk/],
    ['a subject the charset asked for cannot hold', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--charset', 'gb2312', '--subject-charset', 'gb2312', '--subject', '€5', '--body', 'x'], /^maillab: cannot build the message: the subject has characters GB2312 cannot represent/],
    ['an unreachable server', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--server', `smtp://127.0.0.1:${await closedPort()}`, '--body', 'x'], /^maillab: cannot connect to 127\.0\.0\.1:\d+: connection refused$/],
    ['a bad server URL', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--server', 'http://example.test', '--body', 'x'], /^maillab: unknown scheme "http"/],
    ['--auth with --direct', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--auth', 'a:b'], /^maillab: --auth needs --server/],
    ['a malformed address', async () => ['send', ...SENDER, '--to', 'not-an-address', '--direct'], /^maillab: "not-an-address" is not an address/],
    ['serve with a bad --dns', async () => ['serve', '--dns', 'dns.example', '--data', join(folder, 'never-created')], /^maillab: --dns "dns\.example" is not an address like 127\.0\.0\.1:5353$/],
    ['a bad --mx-port', async () => ['send', ...SENDER, '--to', 'b@maillab.test', '--direct', '--mx-port', '70000'], /^maillab: option '--mx-port <port>' argument '70000' is invalid/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await maillab(await args());
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/\n {4}at /);
      expect(result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('(run with --help'))).toHaveLength(1);
    });
  }

  it('--help lists the flags and examples', async () => {
    const result = await maillab(['send', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--from', '--to', '--cc', '--subject', '--body', '--body-file', '--charset', '--subject-charset', '--attach', '--html', '--server', '--starttls', '--auth', '--insecure', '--direct', '--dns', '--mx-port', '--transcript']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/Examples:\n {2}maillab send /);
    const serve = await maillab(['serve', '--help']);
    expect(serve.stdout).toContain('--dns <host:port>');
    expect(serve.stdout).toContain('--mx-port <port>');
  });
});
