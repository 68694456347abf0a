/** Reply texts as a handler needs them: the session's wording with the server name filled in. */
import type { Pop3Context } from '../context.js';
import { pop3Text, type Pop3TextKey, type Pop3TextValues } from '../persona.js';
import { maildropTotals, plural } from './maildrop-totals.js';

/** The session's text for `key` (its override or maillab's default), placeholders filled. */
export function replyText(context: Pop3Context, key: Pop3TextKey, values: Pop3TextValues = {}): string {
  const { texts, tlsTexts } = context.options;
  return pop3Text(context.secure && tlsTexts ? { ...texts, ...tlsTexts } : texts, key, { host: context.options.serverName, ...values });
}

/** The reply that opens TRANSACTION, for PASS, APOP or AUTH (RFC 1939 §7 examples). */
export function maildropGreeting(context: Pop3Context, key: 'passOk' | 'apopOk' | 'authOk', user: string): string {
  const { count, octets } = maildropTotals(context);
  return replyText(context, key, { user, count: String(count), messages: plural(count, 'message'), octets: String(octets) });
}
