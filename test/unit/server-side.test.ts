/**
 * The server's why beside the client's transcript: a client's log (swaks,
 * curl) and the server's log of the same sessions (Postfix, Dovecot), both
 * captured from real runs (test/fixtures/logs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotateLog } from '../../core/client/annotate-log.js';
import { parseLog } from '../../core/client/log-parser.js';
import { parseServerLog } from '../../core/client/server-log.js';
import { withServerSide } from '../../core/client/server-side.js';
import type { WireEvent } from '../../core/events.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'latin1');

function sideBySide(client: string, server: string): WireEvent[] {
  const log = parseLog(read(client));
  if ('error' in log) throw new Error(log.error);
  return withServerSide(annotateLog(log), parseServerLog(read(server)).lines, server);
}

/** The notice that follows the server line or notice `after`. */
function noteAfter(events: WireEvent[], after: (event: WireEvent) => boolean): string | undefined {
  const index = events.findIndex(after);
  const next = events.slice(index + 1).find((event) => event.kind === 'notice' && event.text.startsWith("the server's log"));
  return next?.kind === 'notice' ? next.text : undefined;
}

describe('withServerSide', () => {
  it('puts Postfix\'s NOQUEUE reject right after the 554 swaks got for it', () => {
    const events = sideBySide('postfix-swaks-relay.log', 'postfix-maillog.log');
    const note = noteAfter(events, (event) => event.kind === 'line' && event.text.startsWith('554 5.7.1'));
    expect(note).toMatch(/^the server's log \(postfix-maillog\.log, line 4\) says why: Relay access denied: Postfix refused the recipient victim@example\.net/);
    // Only the refusal gets one: the other replies are not explained by a server line.
    expect(events.filter((event) => event.kind === 'notice' && event.text.startsWith("the server's log"))).toHaveLength(1);
  });

  it('puts Postfix\'s SASL failure after the 535, and its lost connection after a STARTTLS that never completed', () => {
    expect(noteAfter(sideBySide('postfix-swaks-authfail.log', 'postfix-maillog.log'), (event) => event.kind === 'line' && event.text.startsWith('535'))).toMatch(/line 7\) says why: SASL authentication failed: .* as alice/);
    const tls = sideBySide('postfix-curl-verify-fail.log', 'postfix-maillog.log');
    expect(noteAfter(tls, (event) => event.kind === 'notice' && event.text.startsWith('the server agreed to start TLS'))).toMatch(/line 12\) says why: Lost connection after STARTTLS/);
  });

  it('puts Dovecot\'s password line after the POP3 -ERR [AUTH] curl got', () => {
    const events = sideBySide('dovecot-curl-pop3-auth-failed.log', 'dovecot.log');
    expect(noteAfter(events, (event) => event.kind === 'line' && event.text.startsWith('-ERR [AUTH]'))).toMatch(/says why: Password mismatch: Dovecot's auth service found the user alice/);
  });

  it('adds nothing when the server log explains nothing the client saw', () => {
    const log = parseLog(read('curl-smtp-upload.log'));
    if ('error' in log) throw new Error(log.error);
    const events = annotateLog(log);
    expect(withServerSide(events, parseServerLog(read('postfix-maillog.log')).lines, 'postfix-maillog.log')).toEqual(events);
  });
});
