/**
 * The registries the catalogue ships as data (core/annotations/registries/):
 * the IANA enhanced status codes, the SMTP reply codes, the EHLO keywords and
 * the POP3 CAPA tags. Each test walks one table and fails on any gap: a
 * registered code or keyword without its entry, an entry citing another RFC
 * than the table, an entry in a class the code is not used in, or an entry
 * the table does not know (issue 22, "Missing today").
 */
import { describe, expect, it } from 'vitest';
import { allEntries, lookup } from '../../core/annotations/catalogue.js';
import { describeKey } from '../../core/annotations/describe.js';
import { ENHANCED_REGISTRY } from '../../core/annotations/enhanced-codes.js';
import enhancedWords from '../../core/annotations/messages/en/enhanced-codes.json' with { type: 'json' };
import pop3Capabilities from '../../core/annotations/registries/pop3-capabilities.json' with { type: 'json' };
import replyCodes from '../../core/annotations/registries/smtp-reply-codes.json' with { type: 'json' };
import serviceExtensions from '../../core/annotations/registries/smtp-service-extensions.json' with { type: 'json' };

const catalogueKeys = (prefix: string) => allEntries().filter((entry) => entry.key.startsWith(prefix)).map((entry) => entry.key);

describe('the IANA registry of enumerated status codes', () => {
  it('holds the codes of RFC 3463 and of every RFC that added to it', () => {
    expect(ENHANCED_REGISTRY.length).toBeGreaterThanOrEqual(80);
    const references = new Set(ENHANCED_REGISTRY.map((row) => /^RFC (\d+)/.exec(row.reference)?.[1]));
    for (const rfc of ['3463', '3886', '4468', '4954', '5248', '6531', '6710', '7293', '7372', '7505', '8617', '8689']) expect(references, rfc).toContain(rfc);
    for (const code of ['1.10', '7.27', '7.30', '7.13', '6.6', '3.6']) expect(ENHANCED_REGISTRY.map((row) => row.code), code).toContain(code);
  });

  it('every registered code has its words, and an entry citing its RFC in each class it is used in', () => {
    const worded = new Set(enhancedWords.details.map((detail) => detail.code));
    for (const row of ENHANCED_REGISTRY) {
      expect(worded, `X.${row.code} has no words`).toContain(row.code);
      expect(row.classes.length, row.code).toBeGreaterThan(0);
      for (const cls of row.classes) expect(lookup(`smtp.enhanced.${cls}.${row.code}`)?.rfc, `${cls}.${row.code}`).toBe(row.reference);
    }
  });

  it('no entry for a class a code is not used in, and no entry the registry does not know', () => {
    const registered = new Set(ENHANCED_REGISTRY.flatMap((row) => row.classes.map((cls) => `smtp.enhanced.${cls}.${row.code}`)));
    expect(catalogueKeys('smtp.enhanced.').sort()).toEqual([...registered].sort());
  });

  it('a registered detail in another class names the classes it is registered for', () => {
    for (const row of ENHANCED_REGISTRY) {
      for (const cls of [2, 4, 5].filter((value) => !row.classes.includes(value))) {
        const entry = describeKey(`smtp.enhanced.${cls}.${row.code}`);
        expect(entry?.summary, `${cls}.${row.code}`).toContain(`for ${row.classes.map((value) => `${value}.${row.code}`).join(' or ')}`);
        expect(entry?.rfc, `${cls}.${row.code}`).toBe(row.reference);
      }
    }
  });

  it('an unregistered detail reads as "not registered", never as if the code did not exist', () => {
    for (const code of ['5.1.99', '4.7.31', '2.0.12', '5.9.1']) {
      const entry = describeKey(`smtp.enhanced.${code}`);
      expect(entry?.title, code).toMatch(/not registered/);
      expect(entry?.summary, code).toMatch(/is not registered in the IANA registry of enhanced status codes \(RFC 5248\)/);
    }
  });
});

describe('SMTP reply codes', () => {
  it('every code in the table has an entry citing its RFC, 521 and the ETRN replies included', () => {
    expect(replyCodes.codes.map((row) => row.code)).toEqual(expect.arrayContaining([521, 556, 458, 459, 253]));
    for (const row of replyCodes.codes) expect(lookup(`smtp.reply.${row.code}`)?.rfc, String(row.code)).toBe(row.reference);
  });

  it('and the catalogue has no reply code the table does not list', () => {
    expect(catalogueKeys('smtp.reply.').sort()).toEqual(replyCodes.codes.map((row) => `smtp.reply.${row.code}`).sort());
  });
});

describe('EHLO keywords', () => {
  it('every keyword of the IANA registry, and the unregistered ones common servers send, has an entry citing its reference', () => {
    expect(serviceExtensions.keywords.filter((row) => row.registered).length).toBeGreaterThanOrEqual(30);
    for (const row of serviceExtensions.keywords) expect(lookup(`smtp.keyword.${row.keyword}`)?.rfc, row.keyword).toBe(row.reference);
  });

  it('an unregistered keyword is either private (X, RFC 5321 §4.1.5) or named by its draft', () => {
    for (const row of serviceExtensions.keywords.filter((candidate) => !candidate.registered)) {
      expect(row.reference, row.keyword).toMatch(row.keyword.startsWith('X') ? /^RFC 5321 §4\.1\.5$/ : /^draft-[a-z0-9-]+$/);
    }
  });

  it('and the catalogue has no keyword the table does not list', () => {
    expect(catalogueKeys('smtp.keyword.').sort()).toEqual(serviceExtensions.keywords.map((row) => `smtp.keyword.${row.keyword}`).sort());
  });
});

describe('POP3 CAPA tags', () => {
  it('every tag of the IANA registry, UTF8 and LANG (RFC 6856) included, and the common unregistered ones, has an entry citing its reference', () => {
    expect(pop3Capabilities.tags.map((row) => row.tag)).toEqual(expect.arrayContaining(['UTF8', 'LANG', 'STLS', 'AUTH-RESP-CODE']));
    for (const row of pop3Capabilities.tags) expect(lookup(`pop3.capa.${row.tag}`)?.rfc, row.tag).toBe(row.reference);
  });

  it('and the catalogue has no tag the table does not list', () => {
    expect(catalogueKeys('pop3.capa.').sort()).toEqual(pop3Capabilities.tags.map((row) => `pop3.capa.${row.tag}`).sort());
  });
});
