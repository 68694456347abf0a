/**
 * The SMTP service extensions as data: each EHLO keyword with its RFC, the
 * MAIL and RCPT parameters it adds and how a value is checked, and when the
 * lab offers it. The EHLO reply (core/smtp/commands/ehlo.ts) and the
 * parameter checks of MAIL and RCPT read this table; the catalogue words each
 * keyword (core/annotations/messages/en/keywords.json). Adding an extension
 * is an entry here, its handler logic, and its words.
 */
import { checkEnvid, checkNotify, checkOrcpt, checkRet } from '../smtp/dsn-parameters.js';

/** One parameter an extension adds to MAIL FROM or RCPT TO (RFC 5321 §4.1.2 esmtp-param). */
export interface SmtpParameterSpec {
  readonly name: string;
  readonly command: 'MAIL' | 'RCPT';
  /** The value's syntax, or undefined for a bare keyword (SMTPUTF8). */
  readonly value?: { readonly syntax: string; readonly valid: (value: string) => boolean };
  /**
   * Accepted whether or not the extension was offered in this session
   * ('always'), or only when it was ('offered'): maillab takes SIZE, BODY,
   * SMTPUTF8 and AUTH from any client, DSN's parameters only where DSN is
   * advertised (RFC 3461 §4).
   */
  readonly accepted: 'always' | 'offered';
}

/** What decides whether the lab offers an extension now. */
export interface OfferContext {
  readonly secure: boolean;
  readonly tlsAvailable: boolean;
  readonly enhancedStatusCodes: boolean;
  readonly authenticated: boolean;
  readonly maxMessageSize: number;
  /** The SASL mechanisms AUTH may offer in this session (none on the MTA port, none before TLS where plaintext is refused). */
  readonly mechanisms: readonly string[];
}

export interface SmtpExtensionSpec {
  /** The EHLO keyword (RFC 5321 §4.1.1.1 ehlo-keyword). */
  readonly keyword: string;
  readonly rfc: string;
  readonly parameters: readonly SmtpParameterSpec[];
  /** The EHLO line that offers it in this session, or undefined when the lab does not offer it now. */
  readonly offer: (context: OfferContext) => string | undefined;
}

const always = (keyword: string) => () => keyword;

/** The extensions, in the order the lab lists them after EHLO. */
export const SMTP_EXTENSIONS: readonly SmtpExtensionSpec[] = [
  { keyword: 'PIPELINING', rfc: 'RFC 2920', parameters: [], offer: always('PIPELINING') },
  {
    keyword: 'SIZE',
    rfc: 'RFC 1870',
    parameters: [{ name: 'SIZE', command: 'MAIL', value: { syntax: 'SIZE=octets', valid: (value) => /^\d{1,20}$/.test(value) }, accepted: 'always' }],
    offer: (context) => `SIZE ${context.maxMessageSize}`,
  },
  {
    keyword: '8BITMIME',
    rfc: 'RFC 6152',
    parameters: [{ name: 'BODY', command: 'MAIL', value: { syntax: 'BODY=7BIT|8BITMIME', valid: (value) => /^(7BIT|8BITMIME)$/i.test(value) }, accepted: 'always' }],
    offer: always('8BITMIME'),
  },
  { keyword: 'SMTPUTF8', rfc: 'RFC 6531', parameters: [{ name: 'SMTPUTF8', command: 'MAIL', accepted: 'always' }], offer: always('SMTPUTF8') },
  { keyword: 'CHUNKING', rfc: 'RFC 3030', parameters: [], offer: always('CHUNKING') },
  { keyword: 'ENHANCEDSTATUSCODES', rfc: 'RFC 2034', parameters: [], offer: (context) => (context.enhancedStatusCodes ? 'ENHANCEDSTATUSCODES' : undefined) },
  // RFC 3207 §4.2: not offered again once TLS is up.
  { keyword: 'STARTTLS', rfc: 'RFC 3207', parameters: [], offer: (context) => (!context.secure && context.tlsAvailable ? 'STARTTLS' : undefined) },
  {
    keyword: 'AUTH',
    rfc: 'RFC 4954',
    // RFC 4954 §5: the submitter's identity, xtext; accepted and not relied upon.
    parameters: [{ name: 'AUTH', command: 'MAIL', value: { syntax: 'AUTH=xtext|<>', valid: () => true }, accepted: 'always' }],
    // RFC 4954 §4: not offered again after a successful AUTH.
    offer: (context) => (context.mechanisms.length > 0 && !context.authenticated ? `AUTH ${context.mechanisms.join(' ')}` : undefined),
  },
  {
    keyword: 'DSN',
    rfc: 'RFC 3461',
    // The checks with their reasons are core/smtp/dsn-parameters.ts; MAIL and RCPT give those reasons with 501.
    parameters: [
      { name: 'RET', command: 'MAIL', value: { syntax: 'RET=FULL|HDRS', valid: (value) => checkRet(value).ok }, accepted: 'offered' },
      { name: 'ENVID', command: 'MAIL', value: { syntax: 'ENVID=xtext', valid: (value) => checkEnvid(value).ok }, accepted: 'offered' },
      { name: 'NOTIFY', command: 'RCPT', value: { syntax: 'NOTIFY=NEVER|SUCCESS,FAILURE,DELAY', valid: (value) => checkNotify(value).ok }, accepted: 'offered' },
      { name: 'ORCPT', command: 'RCPT', value: { syntax: 'ORCPT=addr-type;xtext', valid: (value) => checkOrcpt(value).ok }, accepted: 'offered' },
    ],
    // The lab sends delivery status notifications (RFC 3464) for what it delivers, defers or gives up on.
    offer: always('DSN'),
  },
  { keyword: 'HELP', rfc: 'RFC 5321 §4.1.1.8', parameters: [], offer: always('HELP') },
];

/** The extension a MAIL or RCPT parameter belongs to. */
export function parameterSpec(command: 'MAIL' | 'RCPT', name: string): { extension: SmtpExtensionSpec; parameter: SmtpParameterSpec } | undefined {
  for (const extension of SMTP_EXTENSIONS) {
    const parameter = extension.parameters.find((candidate) => candidate.command === command && candidate.name === name);
    if (parameter) return { extension, parameter };
  }
  return undefined;
}

/**
 * Whether a parameter as sent is acceptable: known, offered where it must be,
 * a value exactly when one is needed, and a valid one. `offered` holds the
 * keywords this session's EHLO listed.
 */
export function parameterAccepted(command: 'MAIL' | 'RCPT', name: string, value: string | true, offered: ReadonlySet<string>): boolean {
  const found = parameterSpec(command, name);
  if (!found) return false;
  const { extension, parameter } = found;
  if (parameter.accepted === 'offered' && !offered.has(extension.keyword)) return false;
  if (!parameter.value) return value === true;
  return typeof value === 'string' && parameter.value.valid(value);
}
