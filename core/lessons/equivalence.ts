/**
 * When a learner's line counts as the lesson's line: when the server must
 * take both the same way. Verbs are case-insensitive in both protocols
 * (RFC 1939 §3, RFC 5321 §2.4), so are "FROM:"/"TO:", domains, ESMTP
 * parameter keywords, SASL mechanism names and APOP's hex digest; message
 * numbers compare as numbers. Mailbox names, passwords, local parts and
 * anything sent as message text or a SASL response must match exactly.
 */
import type { Protocol } from '../events.js';
import type { ServerInputKind } from './lab-connection.js';

/** The verb (upper-cased) and the rest of a command line. */
export function splitCommand(line: string): { verb: string; args: string } {
  const space = line.indexOf(' ');
  return space === -1 ? { verb: line.toUpperCase(), args: '' } : { verb: line.slice(0, space).toUpperCase(), args: line.slice(space + 1) };
}

/** True when the server would take `typed` as it takes `expected`. */
export function sameLine(protocol: Protocol, expected: string, typed: string, input: ServerInputKind): boolean {
  if (input !== 'command') return typed === expected;
  const want = splitCommand(expected);
  const got = splitCommand(typed.replace(/\s+$/, ''));
  if (want.verb !== got.verb) return false;
  return sameArguments(protocol, want.verb, want.args.replace(/\s+$/, ''), got.args);
}

function sameArguments(protocol: Protocol, verb: string, expected: string, typed: string): boolean {
  switch (verb) {
    case 'LIST':
    case 'RETR':
    case 'DELE':
    case 'TOP':
    case 'UIDL':
      return protocol === 'pop3' ? sameNumbers(expected, typed) : expected === typed;
    case 'APOP': {
      const [name, digest] = expected.split(' ');
      const [typedName, typedDigest] = typed.split(' ');
      return name === typedName && digest?.toLowerCase() === typedDigest?.toLowerCase() && typed.split(' ').length === 2;
    }
    case 'AUTH':
      return sameAuth(expected, typed);
    case 'PASS':
      // The argument is the password, spaces and all (RFC 1939 §7).
      return expected === typed;
    case 'MAIL':
    case 'RCPT':
      return protocol === 'smtp' ? samePath(expected, typed) : expected === typed;
    case 'EHLO':
    case 'HELO':
      return expected.trim().toLowerCase() === typed.trim().toLowerCase();
    default:
      return expected.trim() === typed.trim();
  }
}

/** "2" and "02" name the same message; the count of arguments must agree. */
function sameNumbers(expected: string, typed: string): boolean {
  const want = expected.trim().split(/ +/).filter((word) => word !== '');
  const got = typed.trim().split(/ +/).filter((word) => word !== '');
  if (want.length !== got.length) return false;
  return want.every((word, index) => {
    const other = got[index]!;
    return /^\d+$/.test(word) && /^\d+$/.test(other) ? Number(word) === Number(other) : word === other;
  });
}

/** The mechanism name is case-insensitive; an initial response is base64 and must match. */
function sameAuth(expected: string, typed: string): boolean {
  const [mechanism = '', ...rest] = expected.trim().split(' ');
  const [typedMechanism = '', ...typedRest] = typed.trim().split(' ');
  return mechanism.toUpperCase() === typedMechanism.toUpperCase() && rest.join(' ') === typedRest.join(' ');
}

/** "FROM:<Smith@bar.com> SIZE=10": keyword, domain and parameter names case-insensitive; local part and values exact. */
function samePath(expected: string, typed: string): boolean {
  const want = readPath(expected);
  const got = readPath(typed);
  if (!want || !got) return expected === typed;
  return (
    want.keyword === got.keyword &&
    want.localPart === got.localPart &&
    want.domain === got.domain &&
    want.params.length === got.params.length &&
    want.params.every((param, index) => param === got.params[index])
  );
}

function readPath(text: string): { keyword: string; localPart: string; domain: string; params: string[] } | undefined {
  const match = /^(FROM|TO):<([^>]*)>(.*)$/i.exec(text.trim());
  if (!match) return undefined;
  const address = match[2]!;
  const at = address.lastIndexOf('@');
  const params = match[3]!
    .trim()
    .split(/ +/)
    .filter((param) => param !== '')
    .map((param) => {
      const equals = param.indexOf('=');
      return equals === -1 ? param.toUpperCase() : `${param.slice(0, equals).toUpperCase()}${param.slice(equals)}`;
    });
  return {
    keyword: match[1]!.toUpperCase(),
    localPart: at === -1 ? address : address.slice(0, at),
    domain: at === -1 ? '' : address.slice(at + 1).toLowerCase(),
    params,
  };
}
