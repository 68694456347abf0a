import { describe, expect, it } from 'vitest';
import { EnginePump, type PumpOutput } from '../../core/engine/pump.js';
import { makeHarness, rfcMaildrop } from '../helpers/pop3-harness.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

const bytesOf = (outputs: readonly PumpOutput[]) => Buffer.concat(outputs.map((output) => output.bytes)).toString('latin1');

describe('EnginePump', () => {
  it('frames one item per step, in order, and stamps gapless seq numbers', async () => {
    // The harness greeted already; the pump takes the session from there.
    const h = makeHarness({}, rfcMaildrop);
    const pump = new EnginePump(h.session, { session: 's1', clock: () => 7 });
    pump.push(Buffer.from('USER mrose\r\nPASS tanstaaf\r\nSTAT\r\n'));
    const first = pump.next();
    expect(first).toBeDefined();
    const outputs = [await first!, ...(await pump.drain())];
    expect(outputs).toHaveLength(3);
    expect(bytesOf(outputs)).toMatch(/^\+OK [^\r]*\r\n\+OK [^\r]*\r\n\+OK 2 320\r\n$/);
    const envelopes = outputs.flatMap((output) => output.envelopes);
    expect(envelopes.map((envelope) => envelope.seq)).toEqual(envelopes.map((_, index) => index + 1));
    expect(envelopes.every((envelope) => envelope.session === 's1' && envelope.at === 7)).toBe(true);
    expect(pump.next()).toBeUndefined();
  });

  it('gives the same bytes however the input is split', async () => {
    const input = 'USER mrose\r\nPASS tanstaaf\r\nLIST\r\nRETR 1\r\nQUIT\r\n';
    let expected: string | undefined;
    for (const size of [1, 3, 17, input.length]) {
      const pump = new EnginePump(makeHarness({}, rfcMaildrop).session, { session: 'split' });
      const outputs: PumpOutput[] = [];
      for (let at = 0; at < input.length; at += size) {
        pump.push(Buffer.from(input.slice(at, at + size)));
        outputs.push(...(await pump.drain()));
      }
      const text = bytesOf(outputs);
      expected ??= text;
      expect(text).toBe(expected);
    }
    // Five replies: USER, PASS, LIST (multi-line), RETR (multi-line), QUIT.
    expect(expected!.match(/^\+OK/gm)).toHaveLength(5);
    expect(expected!.match(/^\.\r$/gm)).toHaveLength(2);
  });

  it('drops input pipelined after a reply that starts TLS, and frames nothing until tlsEstablished', async () => {
    const h = makeHarness({}, rfcMaildrop);
    const pump = new EnginePump(h.session, { session: 'tls' });
    pump.push(Buffer.from('STLS\r\nUSER injected\r\n'));
    const outputs = await pump.drain();
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.startTls).toBe(true);
    expect(pump.awaitingTls).toBe(true);
    pump.push(Buffer.from('NOOP\r\n'));
    expect(pump.next()).toBeUndefined();
    pump.tlsEstablished({ version: 'TLSv1.3', cipher: 'test' });
    pump.push(Buffer.from('USER mrose\r\n'));
    const after = await pump.drain();
    expect(bytesOf(after)).toMatch(/^\+OK/);
    // The injected USER was never read: PASS now goes with mrose.
    expect(h.session.pendingUser).toBe('mrose');
  });

  it('frames nothing after the engine closed', async () => {
    const h = makeSmtpHarness();
    const pump = new EnginePump(h.session, { session: 'quit' });
    pump.push(Buffer.from('QUIT\r\nNOOP\r\n'));
    const outputs = await pump.drain();
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.close).toBe(true);
    expect(pump.closed).toBe(true);
    expect(pump.next()).toBeUndefined();
  });

  it("answers an engine that throws with the engine's own internal-error reply, which closes", async () => {
    const h = makeHarness({}, rfcMaildrop);
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    const maildrop = h.session.transaction!.maildrop;
    maildrop.read = () => {
      throw new TypeError('boom');
    };
    const pump = new EnginePump(h.session, { session: 'bug' });
    pump.push(Buffer.from('RETR 1\r\n'));
    const [output] = await pump.drain();
    // RETR catches store failures itself; a bug elsewhere ends the session. Either way one reply, one close at most.
    expect(output!.bytes.toString()).toMatch(/^-ERR /);
    const smtp = makeSmtpHarness();
    const broken = new EnginePump(smtp.session, { session: 'bug2' });
    // A handler with a bug: the NOOP handler throws.
    (smtp.session as unknown as { dispatcher: { dispatch: () => never } }).dispatcher.dispatch = () => {
      throw new Error('handler bug');
    };
    broken.push(Buffer.from('NOOP\r\n'));
    const [failed] = await broken.drain();
    expect(failed!.bytes.toString()).toMatch(/^421 4\.3\.0 .*internal server error/);
    expect(failed!.close).toBe(true);
    expect(failed!.envelopes.map((envelope) => envelope.event)).toContainEqual({ kind: 'error', code: 'INTERNAL', message: 'handler bug' });
  });
});
