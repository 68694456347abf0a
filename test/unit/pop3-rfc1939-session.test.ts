import { describe, expect, it } from 'vitest';
import { makeHarness, messageOfSize, rfcMaildrop } from '../helpers/pop3-harness.js';
import { apopDigest } from '../../core/sasl/mechanisms.js';
import { stuffBody } from '../../core/framing/dot-stuffing.js';

describe('RFC 1939 §10 example session, byte for byte', () => {
  it('reproduces every S: line', async () => {
    const h = makeHarness({ serverName: 'dewey' }, rfcMaildrop);
    expect(h.greeting.bytes.toString()).toBe('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n');
    expect(await h.send('APOP mrose c4c9334bac560ecc979e58001b3e22fb')).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect(await h.send('STAT')).toBe('+OK 2 320\r\n');
    expect(await h.send('LIST')).toBe('+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n');
    const one = messageOfSize(120, 'one');
    expect(await h.send('RETR 1')).toBe(`+OK 120 octets\r\n${stuffBody(Buffer.from(one)).toString()}`);
    expect(await h.send('DELE 1')).toBe('+OK message 1 deleted\r\n');
    expect(await h.send('RETR 2')).toBe(`+OK 200 octets\r\n${messageOfSize(200, 'two')}.\r\n`);
    expect(await h.send('DELE 2')).toBe('+OK message 2 deleted\r\n');
    const quit = await h.output('QUIT');
    expect(quit.bytes.toString()).toBe('+OK dewey POP3 server signing off (maildrop empty)\r\n');
    expect(quit.close).toBe(true);
    expect(h.store.messages('mrose')).toHaveLength(0);
  });

  it('computes the RFC APOP digest vector (secret "tanstaaf", RFC 1939 §7)', () => {
    expect(apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });
});
