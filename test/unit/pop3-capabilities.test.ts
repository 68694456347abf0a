/**
 * The CAPA table (core/protocols/pop3-capabilities.ts) is the one list of POP3
 * capabilities: the engine's CAPA lists it, the annotations and the catalogue
 * take each tag's name and RFC from it, and every tag has its words.
 */
import { describe, expect, it } from 'vitest';
import { pop3CapaAnnotations } from '../../core/annotations/annotate.js';
import { describeKey } from '../../core/annotations/describe.js';
import messages from '../../core/annotations/messages/en/keywords.json' with { type: 'json' };
import { DEFAULT_POP3_OPTIONS } from '../../core/pop3/options.js';
import { SMTP_EXTENSIONS } from '../../core/protocols/smtp-extensions.js';
import { offeredCapabilities, POP3_CAPABILITIES, type CapaOfferContext } from '../../core/protocols/pop3-capabilities.js';
import { makeHarness } from '../helpers/pop3-harness.js';

const LAB: CapaOfferContext = {
  state: 'AUTHORIZATION',
  secure: false,
  tlsAvailable: true,
  plaintextAllowed: true,
  responseCodes: true,
  mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
  loginDelaySeconds: 0,
  expire: 'NEVER',
  serverName: 'maillab',
};

describe('the CAPA table', () => {
  it('has words for every tag and a tag for every word (one entry plus its words adds a capability)', () => {
    expect(messages.pop3Capa.map((words) => words.key).sort()).toEqual(POP3_CAPABILITIES.map((capability) => `pop3.capa.${capability.tag}`).sort());
  });

  it('gives the catalogue and the annotations each tag\'s RFC', () => {
    for (const capability of POP3_CAPABILITIES) {
      expect(describeKey(`pop3.capa.${capability.tag}`)).toMatchObject({ title: capability.tag, rfc: capability.rfc });
      const line = capability.offer(LAB) ?? capability.tag;
      // LOGIN-DELAY and EXPIRE also get their number in words (core/annotations/reply-context.ts), with the same RFC section.
      const [tag, ...context] = pop3CapaAnnotations([line]);
      expect(tag).toEqual({ kind: 'annotation', about: 'keyword', key: `pop3.capa.${capability.tag}`, rfc: capability.rfc, detail: line });
      expect(context.map((event) => event.rfc)).toEqual(['LOGIN-DELAY', 'EXPIRE'].includes(capability.tag) ? [capability.rfc] : []);
    }
  });

  it('is what the engine lists, in its order, by state and security (RFC 2449 §5, RFC 2595 §4)', async () => {
    const h = makeHarness();
    const wire = (await h.send('CAPA')).split('\r\n').slice(1, -2);
    const { loginDelaySeconds, expire, serverName } = DEFAULT_POP3_OPTIONS;
    expect(wire).toEqual(offeredCapabilities({ ...LAB, loginDelaySeconds, expire, serverName }));
    expect(offeredCapabilities(LAB)).toContain('STLS');
    expect(offeredCapabilities({ ...LAB, secure: true })).not.toContain('STLS');
    const afterLogin = offeredCapabilities({ ...LAB, state: 'TRANSACTION' });
    expect(afterLogin.some((line) => /^(USER|SASL|STLS)\b/.test(line))).toBe(false);
    expect(offeredCapabilities({ ...LAB, responseCodes: false })).not.toContain('RESP-CODES');
  });
});

describe('the SMTP extension table, likewise', () => {
  it('has words for every keyword it lists', () => {
    expect(SMTP_EXTENSIONS.filter((extension) => !describeKey(`smtp.keyword.${extension.keyword}`)).map((extension) => extension.keyword)).toEqual([]);
  });
});
