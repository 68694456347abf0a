import { describe, expect, it } from 'vitest';
import { MAX_CLASS_CODE, parseClientMessage, REFUSAL_CODES } from '../../web/protocol/messages.js';

describe('hello with a class code', () => {
  it('carries the code as a string of bounded length', () => {
    expect(parseClientMessage(JSON.stringify({ v: 1, t: 'hello', code: 'otter-42' }))).toEqual({ ok: true, message: { v: 1, t: 'hello', code: 'otter-42' } });
    expect(parseClientMessage(JSON.stringify({ v: 1, t: 'hello', code: 'x'.repeat(MAX_CLASS_CODE + 1) }))).toEqual({ ok: false, code: 'BAD_MESSAGE', message: 'hello: bad class code' });
    expect(parseClientMessage(JSON.stringify({ v: 1, t: 'hello', code: 42 }))).toEqual({ ok: false, code: 'BAD_MESSAGE', message: 'hello: bad class code' });
    expect(REFUSAL_CODES).toContain('CLASS_CODE');
    expect(REFUSAL_CODES).toContain('BUSY');
  });
});
