/**
 * What a status bar shows about a session, worked out from its events: TLS
 * or not, the user who logged in (POP3 USER/APOP), the message count the
 * server last reported (POP3: STAT, LIST, the login reply; less one per DELE
 * taken), the SMTP envelope so far (MAIL FROM and every RCPT TO the server
 * took). Pure: events in, a snapshot out.
 */
import type { Protocol, WireEvent } from '../events.js';

export interface SessionFacts {
  tls: boolean;
  /** TLS is up but its certificate did not verify (accepted with --insecure). */
  tlsUnverified?: boolean;
  user?: string;
  messages?: number;
  envelope?: { from?: string; to: string[] };
}

export class SessionFactsTracker {
  private facts: SessionFacts = { tls: false };
  /** Client commands whose reply has not started, oldest first (pipelining keeps order). */
  private commands: string[] = [];
  private candidateUser: string | undefined;

  constructor(private readonly protocol: Protocol) {}

  get snapshot(): SessionFacts {
    return { ...this.facts, ...(this.facts.envelope ? { envelope: { ...this.facts.envelope, to: [...this.facts.envelope.to] } } : {}) };
  }

  apply(event: WireEvent): void {
    if (event.kind === 'tls') {
      this.facts.tls = true;
      if (event.peer?.verified === false) this.facts.tlsUnverified = true;
      else delete this.facts.tlsUnverified;
    }
    else if (event.kind === 'line' && event.from === 'client') this.commands.push(event.text);
    else if (event.kind === 'line') this.reply(event.text);
    else if (event.kind === 'transition') this.transition(event.to);
  }

  private reply(text: string): void {
    // SMTP continuation lines and POP3 greetings answer nothing we track.
    if (/^\d{3}-/.test(text)) return;
    const command = this.commands.shift() ?? '';
    const verb = (/^\S+/.exec(command)?.[0] ?? '').toUpperCase();
    const argument = command.slice(verb.length).trim();
    const ok = this.protocol === 'pop3' ? text.startsWith('+OK') : /^2\d\d/.test(text);
    if (this.protocol === 'pop3') this.pop3Reply(verb, argument, text, ok);
    else if (ok) this.smtpReply(verb, argument);
  }

  private pop3Reply(verb: string, argument: string, text: string, ok: boolean): void {
    if (verb === 'USER' && ok) this.candidateUser = argument;
    if (verb === 'APOP') this.candidateUser = argument.split(/\s+/)[0];
    if (!ok) return;
    const stat = verb === 'STAT' ? /^\+OK (\d+) \d+/.exec(text) : undefined;
    const counted = stat ?? /(\d+) messages?\b/i.exec(text);
    if (counted && ['STAT', 'LIST', 'PASS', 'APOP', 'AUTH', 'RSET', ''].includes(verb)) this.facts.messages = Number(counted[1]);
    else if (verb === 'DELE' && this.facts.messages !== undefined) this.facts.messages = Math.max(0, this.facts.messages - 1);
  }

  private smtpReply(verb: string, argument: string): void {
    const address = /<([^>]*)>/.exec(argument)?.[1];
    if (verb === 'MAIL') this.facts.envelope = { from: address ?? '', to: [] };
    else if (verb === 'RCPT' && address !== undefined) (this.facts.envelope ??= { to: [] }).to.push(address);
  }

  private transition(to: string): void {
    if (this.protocol === 'pop3' && to === 'TRANSACTION' && this.candidateUser) this.facts.user = this.candidateUser;
    if (this.protocol === 'smtp' && (to === 'READY' || to === 'INIT')) delete this.facts.envelope;
    if (to === 'CLOSED') this.commands = [];
  }
}
