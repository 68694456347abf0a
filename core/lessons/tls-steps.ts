/**
 * The `== tls ==` marker (lessons/README.md): a transcript cannot show the TLS
 * handshake as lines, so the lesson marks where it happens, right after the
 * server's positive reply to STLS (RFC 2595 §4) or STARTTLS (RFC 3207 §4).
 * The replay starts the handshake there, so the marker must be exactly where
 * the server starts it: never anywhere else, and never missing after such a reply.
 */
import type { Protocol } from '../events.js';
import type { LessonSession, ServerPersona, TranscriptStep } from './lesson.js';

type Report = (line: number, message: string) => void;

const UPGRADE: Readonly<Record<Protocol, string>> = { pop3: 'STLS', smtp: 'STARTTLS' };

/** Whether the last client line of the step asks for TLS, and whether the reply agreed. */
export function tlsRequest(step: TranscriptStep, protocol: Protocol): { asked: boolean; agreed: boolean } {
  const command = step.client[step.client.length - 1]?.text ?? '';
  const reply = step.server[step.server.length - 1]?.text ?? '';
  const asked = command.split(' ')[0]!.toUpperCase() === UPGRADE[protocol];
  const agreed = protocol === 'pop3' ? /^\+OK( |$)/.test(reply) : /^220( |$)/.test(reply);
  return { asked, agreed };
}

/** Reports each `== tls ==` that is not right after a positive STLS/STARTTLS reply, and each such reply without one. */
export function checkTlsSteps(session: LessonSession, persona: ServerPersona, report: Report): void {
  const verb = UPGRADE[persona.protocol];
  const positive = persona.protocol === 'pop3' ? '+OK' : '220';
  for (const step of session.steps) {
    const early = step.client.slice(0, -1).find((line) => line.text.split(' ')[0]!.toUpperCase() === verb);
    if (persona.tls === true && early) {
      report(early.line, `the client sends nothing after ${verb} until the handshake is over (${persona.protocol === 'pop3' ? 'RFC 2595 §4' : 'RFC 3207 §4'}): end the step after this line with the server's reply`);
      continue;
    }
    const { asked, agreed } = tlsRequest(step, persona.protocol);
    const at = step.server[step.server.length - 1]?.line ?? step.line;
    if (step.tls) {
      if (persona.tls !== true) report(at, `"== tls ==" after this line, but the server offers no TLS: add "tls: on" to ${persona.name === '' ? 'the header' : `server ${persona.name}`}`);
      else if (!asked) report(at, `"== tls ==" after this line, but the client line before it is not ${verb}: the handshake follows only a ${verb} reply`);
      else if (!agreed) report(at, `"== tls ==" after this line, but the reply is not ${positive}: the server refused ${verb}, so no handshake follows`);
    } else if (persona.tls === true && asked && agreed) {
      report(at, `the TLS handshake starts after this ${positive} reply to ${verb}: put "== tls ==" on the next line`);
    }
  }
}
