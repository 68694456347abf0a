/**
 * Local helpers a raw-client user types instead of computing base64 and
 * digests by hand. A meta-command starts with "/" and never goes on the wire
 * itself: it prints something, or produces the protocol line to send.
 */
import { apopDigest, cramMd5Digest } from '../sasl/mechanisms.js';
import { META_HELP } from './meta-command-list.js';
import type { ClientTracker } from './tracker.js';

export type MetaResult =
  /** Send this line (it will be masked in transcripts where it carries a secret); `insist` (/plain!) sends credentials the server did not offer AUTH for. */
  | { kind: 'send'; line: string; note: string; insist?: boolean }
  /** Print this locally. */
  | { kind: 'print'; text: string }
  /** Change a display setting. */
  | { kind: 'set'; setting: 'show-bytes'; value: boolean }
  | { kind: 'set'; setting: 'annotations'; value: 'full' | 'brief' | 'off' }
  /** Show folded body lines: the next ones (/more) or body N whole (/show N). */
  | { kind: 'body'; number?: number }
  | { kind: 'save'; path: string }
  | { kind: 'quit' }
  | { kind: 'error'; message: string };

export interface MetaContext {
  /** The raw client's tracker, when there is one (the sandbox has the engine instead). */
  tracker?: ClientTracker;
  /** The APOP timestamp from the POP3 greeting, if there was one. */
  apopTimestamp?: string;
  /** The last SASL challenge, decoded (for CRAM-MD5). */
  lastChallenge?: string;
}

export { isMetaCommand, META_HELP } from './meta-command-list.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Interprets one meta-command line. */
export function runMetaCommand(line: string, context: MetaContext): MetaResult {
  const [typed = '', ...args] = line.slice(1).split(/\s+/).filter((part) => part !== '');
  // "/plain!" insists: the credentials go even to a server that did not offer that AUTH.
  const insist = typed.endsWith('!');
  const result = runNamed(insist ? typed.slice(0, -1) : typed, args, context);
  return insist && result.kind === 'send' ? { ...result, insist } : result;
}

function runNamed(name: string, args: string[], context: MetaContext): MetaResult {
  const need = (count: number, usage: string): MetaResult | undefined => (args.length === count ? undefined : { kind: 'error', message: `usage: ${usage}` });
  switch (name.toLowerCase()) {
    case 'plain':
      return need(2, '/plain USER PASS') ?? { kind: 'send', line: `AUTH PLAIN ${b64(`\0${args[0]}\0${args[1]}`)}`, note: `AUTH PLAIN for ${args[0]} (base64 of NUL user NUL password: an encoding, not encryption)` };
    case 'login':
      return need(1, '/login USER') ?? { kind: 'send', line: `AUTH LOGIN ${b64(args[0]!)}`, note: `AUTH LOGIN with ${args[0]} as initial response; answer "Password:" with /b64 PASS` };
    case 'b64':
      return args.length === 0 ? { kind: 'error', message: 'usage: /b64 TEXT' } : { kind: 'send', line: b64(args.join(' ')), note: 'base64 of the text you gave' };
    case 'apop': {
      const usage = need(2, '/apop USER SECRET');
      if (usage) return usage;
      if (!context.apopTimestamp) return { kind: 'error', message: 'no APOP timestamp: the greeting had no <…@…> (the server does not offer APOP)' };
      return { kind: 'send', line: `APOP ${args[0]} ${apopDigest(context.apopTimestamp, args[1]!)}`, note: `MD5 of ${context.apopTimestamp} followed by the secret` };
    }
    case 'cram': {
      const usage = need(2, '/cram USER SECRET');
      if (usage) return usage;
      if (!context.lastChallenge) return { kind: 'error', message: 'no CRAM-MD5 challenge yet: send AUTH CRAM-MD5 first' };
      return { kind: 'send', line: b64(`${args[0]} ${cramMd5Digest(args[1]!, context.lastChallenge)}`), note: `base64 of "${args[0]} HMAC-MD5(secret, ${context.lastChallenge})"` };
    }
    case 'decode': {
      if (args.length !== 1) return { kind: 'error', message: 'usage: /decode BASE64' };
      const decoded = Buffer.from(args[0]!, 'base64');
      return { kind: 'print', text: JSON.stringify(decoded.toString('utf8')) };
    }
    case 'bytes':
      if (args[0] !== 'on' && args[0] !== 'off') return { kind: 'error', message: 'usage: /bytes on|off' };
      return { kind: 'set', setting: 'show-bytes', value: args[0] === 'on' };
    case 'annotations':
      if (args[0] !== 'full' && args[0] !== 'brief' && args[0] !== 'off') return { kind: 'error', message: 'usage: /annotations full|brief|off' };
      return { kind: 'set', setting: 'annotations', value: args[0] };
    case 'more':
      return { kind: 'body' };
    case 'show':
      if (args.length !== 1 || !/^[1-9]\d*$/.test(args[0]!)) return { kind: 'error', message: 'usage: /show N (the number in the fold line)' };
      return { kind: 'body', number: Number(args[0]) };
    case 'save':
      return need(1, '/save FILE') ?? { kind: 'save', path: args[0]! };
    case 'quit':
      return { kind: 'quit' };
    case 'help':
      return { kind: 'print', text: META_HELP };
    default:
      return { kind: 'error', message: `unknown meta-command /${name}; /help lists them` };
  }
}
