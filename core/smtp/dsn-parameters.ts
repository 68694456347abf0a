/**
 * The DSN parameters of MAIL and RCPT (RFC 3461 §4): RET and ENVID on MAIL,
 * NOTIFY and ORCPT on RCPT, checked as the RFC writes them, with a reason a
 * learner can act on. ENVID and ORCPT's address are xtext (§4): printable
 * ASCII but "+" and "=", which are written "+XX" in upper-case hex.
 */

/** What a client asked of the delivery reports for one message (MAIL) and one recipient (RCPT). */
export interface DsnRequest {
  /** RET (§4.3): return the whole message, or only its header, with a failure report. */
  readonly ret?: 'FULL' | 'HDRS';
  /** ENVID (§4.4), decoded: the sender's own id of the transaction, echoed in every report. */
  readonly envid?: string;
}

export interface DsnRecipient {
  /** NOTIFY (§4.1): NEVER, or any of SUCCESS, FAILURE, DELAY; absent, the MTA's default (failure and delay). */
  readonly notify?: readonly ('SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER')[];
  /** ORCPT (§4.2), decoded: the address type and the original recipient as the sender wrote it. */
  readonly orcpt?: { readonly type: string; readonly address: string };
}

/** RFC 3461 §4.4: an ENVID longer than 100 characters is not accepted. */
export const MAX_ENVID = 100;
/** RFC 3461 §4.2: an ORCPT longer than 500 characters is not accepted. */
export const MAX_ORCPT = 500;

/** Decodes xtext (RFC 3461 §4); undefined when it is not xtext. */
export function decodeXtext(text: string): string | undefined {
  if (!/^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/.test(text)) return undefined;
  return text.replace(/\+([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Encodes a string as xtext: "+", "=" and anything outside "!".."~" as "+XX". */
export function encodeXtext(text: string): string {
  return [...new TextEncoder().encode(text)].map((byte) => (byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d ? String.fromCharCode(byte) : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** RET=FULL|HDRS (§4.3). */
export function checkRet(value: string | true): Checked<'FULL' | 'HDRS'> {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return upper === 'FULL' || upper === 'HDRS' ? { ok: true, value: upper } : { ok: false, reason: 'RET takes FULL or HDRS (RFC 3461 §4.3)' };
}

/** ENVID=xtext, at most 100 characters (§4.4). */
export function checkEnvid(value: string | true): Checked<string> {
  if (typeof value !== 'string' || value === '') return { ok: false, reason: 'ENVID needs a value (RFC 3461 §4.4)' };
  if (value.length > MAX_ENVID) return { ok: false, reason: `ENVID is ${value.length} characters; at most ${MAX_ENVID} (RFC 3461 §4.4)` };
  const decoded = decodeXtext(value);
  return decoded === undefined ? { ok: false, reason: 'ENVID is not xtext: write "+", "=" and non-printable characters as +XX (RFC 3461 §4)' } : { ok: true, value: decoded };
}

/** NOTIFY=NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY, each once (§4.1). */
export function checkNotify(value: string | true): Checked<readonly ('SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER')[]> {
  const words = typeof value === 'string' ? value.toUpperCase().split(',') : [''];
  if (words.length === 1 && words[0] === 'NEVER') return { ok: true, value: ['NEVER'] };
  if (words.includes('NEVER')) return { ok: false, reason: 'NOTIFY=NEVER stands alone: it cannot be combined with SUCCESS, FAILURE or DELAY (RFC 3461 §4.1)' };
  const known = words.filter((word): word is 'SUCCESS' | 'FAILURE' | 'DELAY' => word === 'SUCCESS' || word === 'FAILURE' || word === 'DELAY');
  if (known.length !== words.length) return { ok: false, reason: 'NOTIFY takes NEVER, or SUCCESS, FAILURE and DELAY separated by commas (RFC 3461 §4.1)' };
  if (new Set(known).size !== known.length) return { ok: false, reason: 'NOTIFY names a condition twice (RFC 3461 §4.1)' };
  return { ok: true, value: known };
}

/** ORCPT=addr-type;xtext, at most 500 characters (§4.2); addr-type is an atom, "rfc822" for Internet mail. */
export function checkOrcpt(value: string | true): Checked<{ type: string; address: string }> {
  if (typeof value !== 'string' || !value.includes(';')) return { ok: false, reason: 'ORCPT is addr-type;address, as in ORCPT=rfc822;bob@example.net (RFC 3461 §4.2)' };
  if (value.length > MAX_ORCPT) return { ok: false, reason: `ORCPT is ${value.length} characters; at most ${MAX_ORCPT} (RFC 3461 §4.2)` };
  const type = value.slice(0, value.indexOf(';'));
  if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/.test(type)) return { ok: false, reason: `ORCPT's address type "${type.slice(0, 20)}" is not an atom (RFC 3461 §4.2)` };
  const address = decodeXtext(value.slice(type.length + 1));
  if (address === undefined || address === '') return { ok: false, reason: 'ORCPT\'s address is not xtext: write "+", "=" and non-printable characters as +XX (RFC 3461 §4)' };
  return { ok: true, value: { type, address } };
}

/** The check for a DSN parameter by name, or undefined for another parameter. */
export function dsnCheck(name: string): ((value: string | true) => Checked<unknown>) | undefined {
  return { RET: checkRet, ENVID: checkEnvid, NOTIFY: checkNotify, ORCPT: checkOrcpt }[name];
}
