/**
 * End to end with a client maillab did not write: Python's standard-library
 * poplib (and its ssl and email packages) against a real lab on loopback.
 *
 * Each test hands a Python driver a list of poplib calls; the driver runs them
 * in order on one connection and prints each result (bytes as base64) as JSON.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toWireFormat } from '../../core/framing/dot-stuffing.js';
import { DEMO_ATTACHMENT_TEXT, GB2312_BODY_TEXT } from '../../core/sandbox/demo-messages.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { scaled } from '../helpers/time.js';

const DRIVER = String.raw`
import base64, email, email.policy, json, poplib, ssl, sys

def enc(value):
    if isinstance(value, bytes):
        return {'b64': base64.b64encode(value).decode('ascii')}
    if isinstance(value, (list, tuple)):
        return [enc(v) for v in value]
    if isinstance(value, dict):
        return {k: enc(v) for k, v in value.items()}
    return value

def context_of(spec):
    if spec == 'unverified':
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    if spec == 'default':
        return ssl.create_default_context()
    if spec.startswith('cafile:'):
        return ssl.create_default_context(cafile=spec[len('cafile:'):])
    raise ValueError('unknown context ' + spec)

def parse(lines):
    return email.message_from_bytes(b'\r\n'.join(lines) + b'\r\n', policy=email.policy.default)

def gb2312(box, which):
    resp, lines, octets = box.retr(which)
    raw = b'\r\n'.join(lines) + b'\r\n'
    body = raw[raw.index(b'\r\n\r\n') + 4:]
    msg = parse(lines)
    part = msg.get_body(preferencelist=('plain',))
    return {
        'charset': part.get_content_charset(),
        'codec_text': body.decode('gb2312'),
        'email_text': part.get_content(),
        'subject': str(msg['subject']),
    }

def attachments(box, which):
    resp, lines, octets = box.retr(which)
    msg = parse(lines)
    return [
        {'filename': part.get_filename(), 'type': part.get_content_type(), 'payload': part.get_payload(decode=True)}
        for part in msg.iter_attachments()
    ]

def main():
    cfg = json.loads(sys.argv[1])
    if cfg.get('ssl'):
        box = poplib.POP3_SSL(cfg['host'], cfg['port'], context=context_of(cfg['ssl']), timeout=10)
    else:
        box = poplib.POP3(cfg['host'], cfg['port'], timeout=10)
    results = []
    for op in cfg['ops']:
        name, args = op[0], op[1:]
        try:
            if name == 'stls':
                value = box.stls(context_of(args[0]))
            elif name == 'tls_version':
                value = box.sock.version() if isinstance(box.sock, ssl.SSLSocket) else None
            elif name == 'gb2312':
                value = gb2312(box, *args)
            elif name == 'attachments':
                value = attachments(box, *args)
            else:
                value = getattr(box, name)(*args)
            results.append({'ok': enc(value)})
        except (poplib.error_proto, ssl.SSLError, OSError) as e:
            results.append({'error': type(e).__name__ + ': ' + str(e)})
            break
    print(json.dumps(results))

main()
`;

type Op = [string, ...(string | number)[]];
interface PyResult {
  ok?: unknown;
  error?: string;
}

function runPython(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', args, { timeout: scaled(30_000), env: { ...process.env, PYTHONIOENCODING: 'utf-8' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Runs poplib calls in order on one connection; stops after the first error. */
async function poplib(port: number, ops: Op[], ssl?: string): Promise<PyResult[]> {
  const stdout = await runPython(['-c', DRIVER, JSON.stringify({ host: '127.0.0.1', port, ssl, ops })]);
  return JSON.parse(stdout) as PyResult[];
}

/** The `ok` values of a run in which every call must have succeeded. */
async function poplibOk(port: number, ops: Op[], ssl?: string): Promise<unknown[]> {
  const results = await poplib(port, ops, ssl);
  const failed = results.find((r) => r.error !== undefined);
  if (failed) throw new Error(`poplib call ${results.indexOf(failed)} (${JSON.stringify(ops[results.indexOf(failed)])}) failed: ${failed.error}`);
  expect(results).toHaveLength(ops.length);
  return results.map((r) => r.ok);
}

function bytes(value: unknown): Buffer {
  const b64 = (value as { b64?: unknown }).b64;
  if (typeof b64 !== 'string') throw new Error(`not bytes: ${JSON.stringify(value)}`);
  return Buffer.from(b64, 'base64');
}

const text = (value: unknown): string => bytes(value).toString('latin1');

/** poplib's (response, [lines], octets) as a response string, line buffers and octet count. */
function longReply(value: unknown): { resp: string; lines: Buffer[]; octets: number } {
  const [resp, lines, octets] = value as [unknown, unknown[], number];
  return { resp: text(resp), lines: lines.map(bytes), octets };
}

/** poplib's lines put back together the way they were on the wire, minus the dot-stuffing. */
const joinLines = (lines: Buffer[]): Buffer => Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\r\n')]));

/** Alice's Maildir file for a UIDL id, wherever the store put it (new/ or cur/). */
function maildirFile(lab: TestLab, uid: string): string | undefined {
  for (const sub of ['new', 'cur']) {
    const folder = join(lab.data.mailRoot, 'alice', sub);
    const name = readdirSync(folder).find((n) => n.split(/[,:]/)[0] === uid);
    if (name) return join(folder, name);
  }
  return undefined;
}

/** UIDL (all) through poplib: message number -> id. */
function uidMap(value: unknown): Map<number, string> {
  const { lines } = longReply(value);
  return new Map(lines.map((line) => {
    const [n, uid] = line.toString('latin1').split(' ') as [string, string];
    return [Number(n), uid];
  }));
}

const LOGIN: Op[] = [['user', 'alice'], ['pass_', 'wonderland']];

let labs: TestLab[] = [];
async function lab(overrides = {}, dir?: string): Promise<TestLab> {
  const started = await startTestLab(overrides, dir);
  labs.push(started);
  return started;
}

afterEach(async () => {
  for (const l of labs.reverse()) await l.stop();
  labs = [];
});

describe('poplib (Python standard library) against the lab', () => {
  it('sees an APOP timestamp in the greeting, logs in with USER/PASS and gets STAT, LIST and UIDL that match the Maildir', async () => {
    const l = await lab();
    const [welcome, user, pass, stat, list, uidl, quit] = await poplibOk(l.pop3Port, [['getwelcome'], ...LOGIN, ['stat'], ['list'], ['uidl'], ['quit']]);
    expect(text(welcome)).toMatch(/^\+OK .*<[^<>@\s]+@[^<>@\s]+>$/);
    expect(text(user)).toMatch(/^\+OK/);
    expect(text(pass)).toBe("+OK alice's maildrop has 4 messages (" + (stat as number[])[1] + ' octets)');

    const uids = uidMap(uidl);
    expect([...uids.keys()]).toEqual([1, 2, 3, 4]);
    expect(new Set(uids.values()).size).toBe(4);
    for (const uid of uids.values()) expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/);

    // Every size in LIST is the octet count of the message file (already CRLF) it names.
    const { lines: listLines } = longReply(list);
    const sizes = listLines.map((line) => line.toString('latin1').split(' ').map(Number));
    expect(sizes.map(([n]) => n)).toEqual([1, 2, 3, 4]);
    for (const [n, size] of sizes) {
      const file = maildirFile(l, uids.get(n!)!);
      expect(file, `message ${n}'s file`).toBeDefined();
      expect(size).toBe(toWireFormat(readFileSync(file!)).length);
    }
    const total = sizes.reduce((sum, [, size]) => sum + size!, 0);
    expect(stat).toEqual([4, total]);
    expect(text(quit)).toMatch(/^\+OK .*signing off/);
  });

  it('RETR: the lines poplib returns are the Maildir files byte for byte, dot-lines unstuffed', async () => {
    const l = await lab();
    const [, , list, uidl, ...retrs] = await poplibOk(l.pop3Port, [...LOGIN, ['list'], ['uidl'], ['retr', 1], ['retr', 2], ['retr', 3], ['retr', 4], ['quit']]);
    const uids = uidMap(uidl);
    const sizes = longReply(list).lines.map((line) => Number(line.toString('latin1').split(' ')[1]));
    for (let n = 1; n <= 4; n++) {
      const { resp, lines, octets } = longReply(retrs[n - 1]);
      const file = toWireFormat(readFileSync(maildirFile(l, uids.get(n)!)!));
      expect(resp).toMatch(/^\+OK/);
      expect(joinLines(lines).equals(file), `message ${n}`).toBe(true);
      // poplib counts octets after removing the stuffed dots: that is the message size.
      expect(octets).toBe(sizes[n - 1]);
    }
    const dots = longReply(retrs[1]).lines.map((line) => line.toString('latin1'));
    expect(dots).toContain('.this line starts with a dot');
    expect(dots).toContain('.');
    expect(dots).not.toContain('..this line starts with a dot');
  });

  it('RETR of the GB2312 message decodes with Python\'s gb2312 codec and email package', async () => {
    const l = await lab();
    const [, , decoded] = await poplibOk(l.pop3Port, [...LOGIN, ['gb2312', 4], ['quit']]);
    const result = decoded as { charset: string; codec_text: string; email_text: string; subject: string };
    expect(result.charset.toLowerCase()).toBe('gb2312');
    expect(result.codec_text).toBe(GB2312_BODY_TEXT.replace(/\n/g, '\r\n'));
    expect(result.email_text.replace(/\r\n/g, '\n')).toBe(GB2312_BODY_TEXT);
    expect(result.subject).toBe(new TextDecoder('gb2312').decode(Buffer.from('1tDOxNPKvP6y4srU', 'base64')));
  });

  it('RETR of the multipart message: the email package finds the base64 CSV attachment', async () => {
    const l = await lab();
    const [, , found] = await poplibOk(l.pop3Port, [...LOGIN, ['attachments', 3], ['quit']]);
    const parts = found as { filename: string; type: string; payload: unknown }[];
    expect(parts).toHaveLength(1);
    expect(parts[0]!.filename).toBe('schedule.csv');
    expect(parts[0]!.type).toBe('text/csv');
    expect(bytes(parts[0]!.payload).toString('utf8')).toBe(DEMO_ATTACHMENT_TEXT.replace(/\n/g, '\r\n'));
  });

  it('TOP n 0 gives exactly the header and the blank line of each message', async () => {
    const l = await lab();
    const [, , uidl, ...tops] = await poplibOk(l.pop3Port, [...LOGIN, ['uidl'], ['top', 1, 0], ['top', 2, 0], ['top', 3, 0], ['top', 4, 0], ['quit']]);
    const uids = uidMap(uidl);
    for (let n = 1; n <= 4; n++) {
      const { lines } = longReply(tops[n - 1]);
      const file = toWireFormat(readFileSync(maildirFile(l, uids.get(n)!)!));
      const header = file.subarray(0, file.indexOf('\r\n\r\n') + 4);
      expect(lines.at(-1)!.length, `message ${n} ends with the blank line`).toBe(0);
      expect(joinLines(lines).equals(header), `message ${n}`).toBe(true);
    }
  });

  it('APOP mrose/tanstaaf uses the greeting timestamp; a wrong secret is refused', async () => {
    const l = await lab();
    const [apop, stat] = await poplibOk(l.pop3Port, [['apop', 'mrose', 'tanstaaf'], ['stat'], ['quit']]);
    expect(text(apop)).toBe("+OK mrose's maildrop has 0 messages (0 octets)");
    expect(stat).toEqual([0, 0]);

    const wrong = await poplib(l.pop3Port, [['apop', 'mrose', 'tanstaafl'], ['stat']]);
    expect(wrong).toHaveLength(1);
    expect(wrong[0]!.error).toMatch(/error_proto: .*-ERR \[AUTH\]/);
  });

  it('DELE then RSET: nothing is removed', async () => {
    const l = await lab();
    const [, , dele, statAfterDele, rset, statAfterRset] = await poplibOk(l.pop3Port, [...LOGIN, ['dele', 1], ['stat'], ['rset'], ['stat'], ['quit']]);
    expect(text(dele)).toMatch(/^\+OK/);
    const [count, octets] = statAfterRset as [number, number];
    expect(count).toBe(4);
    expect((statAfterDele as number[])[0]).toBe(3);
    expect((statAfterDele as number[])[1]).toBeLessThan(octets);
    expect(text(rset)).toMatch(/^\+OK/);

    const [, , stat, uidl] = await poplibOk(l.pop3Port, [...LOGIN, ['stat'], ['uidl'], ['quit']]);
    expect(stat).toEqual([4, octets]);
    for (const uid of uidMap(uidl).values()) expect(maildirFile(l, uid)).toBeDefined();
  });

  it('DELE then QUIT really removes the message: a new session sees one fewer and the file is gone', async () => {
    const l = await lab();
    const [, , before] = await poplibOk(l.pop3Port, [...LOGIN, ['uidl'], ['quit']]);
    const uids = uidMap(before);
    const first = uids.get(1)!;
    const firstFile = maildirFile(l, first)!;
    expect(existsSync(firstFile)).toBe(true);

    const [, , , quit] = await poplibOk(l.pop3Port, [...LOGIN, ['dele', 1], ['quit']]);
    expect(text(quit)).toMatch(/^\+OK .*3 messages left/);

    const [, , stat, after] = await poplibOk(l.pop3Port, [...LOGIN, ['stat'], ['uidl'], ['quit']]);
    expect((stat as number[])[0]).toBe(3);
    const left = [...uidMap(after).values()];
    expect(left).toEqual([uids.get(2), uids.get(3), uids.get(4)]);
    expect(existsSync(firstFile)).toBe(false);
    expect(maildirFile(l, first)).toBeUndefined();
    for (const uid of left) expect(maildirFile(l, uid!)).toBeDefined();
  });

  it('CAPA lists STLS before the upgrade and not after; login works inside TLS', async () => {
    const l = await lab();
    const [capaBefore, versionBefore, stls, version, capaAfter, , pass, stat] = await poplibOk(l.pop3Port, [
      ['capa'],
      ['tls_version'],
      ['stls', 'unverified'],
      ['tls_version'],
      ['capa'],
      ...LOGIN,
      ['stat'],
      ['quit'],
    ]);
    const before = capaBefore as Record<string, string[]>;
    const after = capaAfter as Record<string, string[]>;
    expect(before).toHaveProperty('STLS');
    expect(before).toHaveProperty('USER');
    expect(before).toHaveProperty('UIDL');
    expect(versionBefore).toBeNull();
    expect(text(stls)).toMatch(/^\+OK/);
    expect(version).toMatch(/^TLSv1\.[23]$/);
    expect(after).not.toHaveProperty('STLS');
    expect(after).toHaveProperty('USER');
    expect(text(pass)).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect((stat as number[])[0]).toBe(4);
    // The server saw the handshake on its plain listener.
    expect(l.events.some((e) => e.listener === 'pop3' && e.event.kind === 'tls')).toBe(true);
  });

  it('STLS with a verifying context: rejected while the self-signed certificate is untrusted, accepted once it is the trust anchor', async () => {
    const l = await lab();
    const refused = await poplib(l.pop3Port, [['stls', 'default'], ['capa']]);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i);

    const [stls, , pass] = await poplibOk(l.pop3Port, [['stls', `cafile:${join(l.data.tlsFolder, 'cert.pem')}`], ['user', 'bob'], ['pass_', 'builder'], ['quit']]);
    expect(text(stls)).toMatch(/^\+OK/);
    expect(text(pass)).toBe("+OK bob's maildrop has 0 messages (0 octets)");
  });

  it('POP3_SSL against the pop3s port (implicit TLS)', async () => {
    const l = await lab();
    const [welcome, version, capa, , , stat, decoded] = await poplibOk(
      l.pop3sPort,
      [['getwelcome'], ['tls_version'], ['capa'], ...LOGIN, ['stat'], ['gb2312', 4], ['quit']],
      'unverified',
    );
    expect(text(welcome)).toMatch(/^\+OK .*<[^<>@\s]+@[^<>@\s]+>$/);
    expect(version).toMatch(/^TLSv1\.[23]$/);
    expect(capa).not.toHaveProperty('STLS');
    expect(capa).toHaveProperty('USER');
    expect((stat as number[])[0]).toBe(4);
    expect((decoded as { codec_text: string }).codec_text).toBe(GB2312_BODY_TEXT.replace(/\n/g, '\r\n'));
    expect(l.events.some((e) => e.listener === 'pop3s' && e.event.kind === 'tls')).toBe(true);
  });

  it('UIDLs are stable across sessions (even after RETR flags a message seen) and across a lab restart on the same data', async () => {
    const first = await lab();
    const [, , uidl1, , quit1] = await poplibOk(first.pop3Port, [...LOGIN, ['uidl'], ['retr', 1], ['quit']]);
    expect(text(quit1)).toMatch(/^\+OK/);
    const uids1 = [...uidMap(uidl1).entries()];
    expect(uids1).toHaveLength(4);
    // Retrieval renamed message 1 into cur/ with the seen flag; its id must not change.
    expect(maildirFile(first, uids1[0]![1])).toMatch(/[/\\]cur[/\\][^/\\]*:2,S$/);

    const [, , uidl2, single] = await poplibOk(first.pop3Port, [...LOGIN, ['uidl'], ['uidl', 3], ['quit']]);
    expect([...uidMap(uidl2).entries()]).toEqual(uids1);
    expect(text(single)).toBe(`+OK 3 ${uids1[2]![1]}`);

    // Stop the listeners (the folder stays), then serve the same data again.
    await first.close();
    labs = labs.filter((x) => x !== first);
    const second = await lab({}, first.dir);
    expect(second.data.created).toBe(false);
    expect(second.pop3Port).toBeGreaterThan(0);
    const [, , uidl3] = await poplibOk(second.pop3Port, [...LOGIN, ['uidl'], ['quit']]);
    expect([...uidMap(uidl3).entries()]).toEqual(uids1);
  });
});
