import { describe, expect, it } from 'vitest';
import { bodyContent, withLazyContent } from '../../core/framing/body-content.js';

const fields = { kind: 'body', from: 'server', lines: 2, octets: 12, ending: 'dot' } as const;

describe('body events with their content made when read', () => {
  it('holds the same text bodyContent gives, and keeps it once made', () => {
    const bytes = Buffer.from('Subject: a\r\n\r\nhello\r\n');
    const event = withLazyContent(fields, bytes);
    // Nothing is made before something reads it.
    expect(typeof Object.getOwnPropertyDescriptor(event, 'content')?.get).toBe('function');
    expect(event.content).toBe('Subject: a\r\n\r\nhello');
    expect(event.content).toBe(bodyContent(bytes).content);
    expect(Object.getOwnPropertyDescriptor(event, 'content')?.value).toBe('Subject: a\r\n\r\nhello');
  });

  it('says at once that a body past the bound is cut, and cuts it at a line end', () => {
    const bytes = Buffer.from('line one\r\nline two\r\nline three\r\n');
    const event = withLazyContent(fields, bytes, 15);
    expect(event.truncated).toBe(true);
    expect(event.content).toBe('line one');
    expect(withLazyContent(fields, bytes, 100).truncated).toBeUndefined();
  });

  it('still gives its content when frozen before anyone read it', () => {
    const event = Object.freeze(withLazyContent(fields, Buffer.from('frozen\r\n')));
    expect(event.content).toBe('frozen');
    expect(event.content).toBe('frozen');
  });

  it('travels as plain data: JSON and spreads carry the content', () => {
    const event = withLazyContent(fields, Buffer.from('x\r\n'));
    expect(JSON.parse(JSON.stringify(event))).toEqual({ ...fields, content: 'x' });
    expect({ ...event }).toEqual({ ...fields, content: 'x' });
    expect(structuredClone(event)).toEqual({ ...fields, content: 'x' });
  });
});
