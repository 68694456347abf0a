/**
 * The client side of one SMTP transaction, sans-I/O (docs/ARCHITECTURE.md): it is fed
 * the server's reply lines and answers with the steps to take — a command to
 * send, the message to send, a TLS upgrade, the end. It never touches a socket
 * or a clock; `smtp-client.ts` drives it over a real connection and the unit
 * tests drive it with the RFC's own replies.
 *
 * The dialogue (RFC 5321 §3, §4.1): greeting, EHLO (HELO when EHLO is not
 * understood, §3.2), STARTTLS (RFC 3207) when asked for, AUTH PLAIN or LOGIN
 * (RFC 4954) when credentials are given, MAIL FROM with SIZE (RFC 1870),
 * BODY=8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) as needed, one RCPT per
 * recipient, DATA with dot-stuffing, QUIT. Commands go one at a time (no
 * PIPELINING), so every reply belongs to the command before it.
 */
import { dataPayload, hasEightBitBytes, wireLength } from '../framing/data-payload.js';
import { SmtpReplyReader, type AssembledReply } from '../framing/smtp-reply-reader.js';
import { authMechanisms, parseExtensions, plainResponse } from './ehlo-extensions.js';

export { authMechanisms, parseExtensions } from './ehlo-extensions.js';

/** STARTTLS policy: never, when offered (unverified, RFC 7435), or required (fail without it). */
export type StartTlsPolicy = 'none' | 'opportunistic' | 'required';

export type DialogueStage = 'dns' | 'connect' | 'greeting' | 'ehlo' | 'helo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'message' | 'quit';

export interface RecipientResult {
  address: string;
  ok: boolean;
  /** The server's reply code; 0 when no reply decided it (connection, TLS, a missing extension, DNS). */
  code: number;
  enhanced?: string;
  text: string;
  /** The server that answered (or was tried last), as "name [address]:port". */
  host: string;
  /** A failure worth retrying elsewhere or later (4xx, or no reply at all), as against a final one (5xx). */
  temporary: boolean;
  /** Where in the dialogue the result was decided. */
  stage: DialogueStage;
  /** Why the connection ended, when no reply decided it: a timeout, the server closing, a failed connection or TLS. */
  lost?: ConnectionLoss;
}

/** Why a connection ended before the dialogue did (send's exit status tells them apart). */
export type ConnectionLoss = 'timeout' | 'closed' | 'connect' | 'tls' | 'protocol';

export interface DialogueOptions {
  /** Our name in EHLO/HELO (RFC 5321 §4.1.1.1). */
  heloName: string;
  /** The reverse-path; "" is the null path of a bounce (RFC 5321 §4.5.5). */
  from: string;
  recipients: readonly string[];
  message: Uint8Array;
  startTls: StartTlsPolicy;
  /** TLS is already up (implicit TLS, RFC 8314): no STARTTLS. */
  tlsActive: boolean;
  auth?: { user: string; password: string };
  /**
   * Credentials go only over TLS whose certificate verified (RFC 8314 §4.1);
   * with `unverifiedAuth` (--insecure) over anything, after a `warn` step.
   */
  unverifiedAuth?: boolean;
  /** Implicit TLS is up and its certificate verified. */
  tlsVerified?: boolean;
  /** Label for results. */
  host: string;
}

export type DialogueStep =
  /** Send one command line (without CRLF). `secret` lines carry credentials. */
  | { kind: 'send'; line: string; secret?: boolean }
  /** Send the message content: dot-stuffed, CRLF line ends, ending in ".\r\n". */
  | { kind: 'send-message'; payload: Buffer }
  /** Start the TLS handshake, then call `tlsStarted()` (or `connectionLost()` if it fails). */
  | { kind: 'start-tls' }
  /** Say this to the user now, before the next step goes out (credentials over an unverified connection). */
  | { kind: 'warn'; text: string }
  /** The dialogue is over: close the connection. */
  | { kind: 'close' };

type Expecting = 'greeting' | 'ehlo' | 'helo' | 'starttls' | 'auth-plain' | 'auth-login' | 'auth-login-user' | 'auth-login-password' | 'mail' | 'rcpt' | 'data' | 'message' | 'quit' | 'done';

/** Replies longer than this many lines are cut (memory stays bounded whatever the server sends). */
const MAX_REPLY_LINES = 200;

export class SmtpDialogue {
  private readonly reader = new SmtpReplyReader();
  private expecting: Expecting = 'greeting';
  private tlsActive: boolean;
  private tlsVerified: boolean;
  private extensions = new Map<string, string>();
  private readonly results = new Map<string, RecipientResult>();
  private readonly accepted: string[] = [];
  private rcptIndex = 0;
  private replyLines = 0;

  constructor(private readonly options: DialogueOptions) {
    this.tlsActive = options.tlsActive;
    this.tlsVerified = options.tlsActive && options.tlsVerified === true;
  }

  /** True once every recipient has a result and nothing more will be sent. */
  get finished(): boolean {
    return this.expecting === 'done';
  }

  /** The EHLO keywords of the last EHLO reply, upper-cased, with their parameters. */
  get serverExtensions(): ReadonlyMap<string, string> {
    return this.extensions;
  }

  /** One result per recipient, in the order given; call when finished. */
  recipientResults(): RecipientResult[] {
    return this.options.recipients.map(
      (address) => this.results.get(address) ?? this.result(address, { ok: false, code: 0, text: 'the session ended before this recipient was decided', temporary: true }, 'connect'),
    );
  }

  /** One line from the server, without CRLF. */
  receive(line: string): DialogueStep[] {
    if (this.expecting === 'done') return [];
    if (++this.replyLines > MAX_REPLY_LINES) return this.abandon(`the server sent a reply of more than ${MAX_REPLY_LINES} lines`);
    const result = this.reader.line(line);
    if (result.kind === 'partial') return [];
    this.replyLines = 0;
    if (result.kind === 'malformed') return this.abandon(`the server sent a malformed reply: ${result.reason}`);
    const reply = result.reply;
    if (reply.code === 421 && this.expecting !== 'quit') {
      // RFC 5321 §3.8: the server is closing the channel; no QUIT.
      this.failPending(reply, this.stageOf(this.expecting));
      this.expecting = 'done';
      return [{ kind: 'close' }];
    }
    return this.handle(reply);
  }

  /** Implicit TLS is up: whether its certificate verified (credentials need it, RFC 8314 §4.1). */
  implicitTlsVerified(verified: boolean): void {
    this.tlsVerified = this.tlsActive && verified;
  }

  /** The TLS handshake after STARTTLS succeeded (`verified`: the certificate checked out): start over with EHLO (RFC 3207 §4.2). */
  tlsStarted(verified = false): DialogueStep[] {
    this.tlsActive = true;
    this.tlsVerified = verified;
    this.extensions = new Map();
    this.expecting = 'ehlo';
    return [{ kind: 'send', line: `EHLO ${this.options.heloName}` }];
  }

  /** The connection failed or closed early: every undecided recipient fails temporarily with this reason. */
  connectionLost(reason: string, lost?: ConnectionLoss): void {
    if (this.expecting === 'done') return;
    const stage = this.stageOf(this.expecting);
    for (const address of this.options.recipients) {
      if (!this.results.has(address)) this.results.set(address, this.result(address, { ok: false, code: 0, text: reason, temporary: true, ...(lost ? { lost } : {}) }, stage));
    }
    this.expecting = 'done';
  }

  private handle(reply: AssembledReply): DialogueStep[] {
    switch (this.expecting) {
      case 'greeting':
        return reply.code === 220 ? this.ehlo() : this.failAndQuit(reply, 'greeting');
      case 'ehlo':
        return this.onEhlo(reply);
      case 'helo':
        return reply.code === 250 ? this.afterHello() : this.failAndQuit(reply, 'helo');
      case 'starttls':
        return this.onStartTls(reply);
      case 'auth-plain':
      case 'auth-login':
      case 'auth-login-user':
      case 'auth-login-password':
        return this.onAuth(reply);
      case 'mail':
        return reply.code === 250 ? this.nextRcpt() : this.failAndQuit(reply, 'mail');
      case 'rcpt':
        return this.onRcpt(reply);
      case 'data':
        return this.onData(reply);
      case 'message':
        for (const address of this.accepted) this.results.set(address, this.fromReply(address, reply, 'message'));
        return this.quit();
      case 'quit':
      case 'done':
        this.expecting = 'done';
        return [{ kind: 'close' }];
    }
  }

  private ehlo(): DialogueStep[] {
    this.expecting = 'ehlo';
    return [{ kind: 'send', line: `EHLO ${this.options.heloName}` }];
  }

  private onEhlo(reply: AssembledReply): DialogueStep[] {
    if (reply.code === 250) {
      this.extensions = parseExtensions(reply.lines.slice(1));
      return this.afterHello();
    }
    // RFC 5321 §3.2: a server that does not know EHLO answers 500/502 (or 5xx); then HELO.
    if (reply.code >= 500) {
      this.expecting = 'helo';
      return [{ kind: 'send', line: `HELO ${this.options.heloName}` }];
    }
    return this.failAndQuit(reply, 'ehlo');
  }

  /** After EHLO/HELO: STARTTLS, then AUTH, then MAIL, as each applies. */
  private afterHello(): DialogueStep[] {
    const policy = this.options.startTls;
    if (!this.tlsActive && policy !== 'none') {
      if (this.extensions.has('STARTTLS')) {
        this.expecting = 'starttls';
        return [{ kind: 'send', line: 'STARTTLS' }];
      }
      if (policy === 'required') {
        const why = this.options.auth && !this.options.unverifiedAuth ? ', so the password would cross the network unencrypted: not sent (--insecure sends it anyway, with a warning)' : ', and TLS was required';
        return this.localFailure(`the server does not offer STARTTLS (RFC 3207)${why}`, 'starttls', true);
      }
    }
    if (this.options.auth) return this.startAuth();
    return this.mail();
  }

  private onStartTls(reply: AssembledReply): DialogueStep[] {
    if (reply.code === 220) return [{ kind: 'start-tls' }];
    if (this.options.startTls === 'required') return this.failAndQuit(reply, 'starttls');
    // Opportunistic TLS: carry on in plaintext.
    return this.options.auth ? this.startAuth() : this.mail();
  }

  private startAuth(): DialogueStep[] {
    const offered = authMechanisms(this.extensions);
    if (offered.length === 0) {
      const hint = this.tlsActive ? '' : ' (many servers offer it only after STARTTLS: try --starttls)';
      return this.localFailure(`the server does not offer AUTH (RFC 4954)${hint}`, 'auth', false);
    }
    const { user, password } = this.options.auth!;
    const warning = this.unverifiedWarning();
    if (warning === 'refuse') {
      return this.localFailure('the connection is not TLS whose certificate verified, so the password is not sent (RFC 8314 §4.1; --insecure sends it anyway, with a warning)', 'starttls', false);
    }
    const warn: DialogueStep[] = warning ? [{ kind: 'warn', text: warning }] : [];
    if (offered.includes('PLAIN')) {
      this.expecting = 'auth-plain';
      return [...warn, { kind: 'send', line: `AUTH PLAIN ${plainResponse(user, password)}`, secret: true }];
    }
    if (offered.includes('LOGIN')) {
      this.expecting = 'auth-login';
      return [...warn, { kind: 'send', line: 'AUTH LOGIN' }];
    }
    return this.localFailure(`the server offers AUTH ${offered.join(' ')}, and maillab send speaks only PLAIN and LOGIN`, 'auth', false);
  }

  /** Before credentials: nothing to say over verified TLS; else a warning (--insecure) or 'refuse'. */
  private unverifiedWarning(): string | 'refuse' | undefined {
    if (this.tlsActive && this.tlsVerified) return undefined;
    if (!this.options.unverifiedAuth) return 'refuse';
    return this.tlsActive
      ? `the password is about to go to ${this.options.host} over TLS whose certificate did NOT verify (--insecure): anyone who can answer in the server's place could read it`
      : `the password is about to go to ${this.options.host} UNENCRYPTED (no TLS; --insecure): anyone on the path can read it. Use smtps:// or a server that offers STARTTLS (RFC 8314)`;
  }

  private onAuth(reply: AssembledReply): DialogueStep[] {
    const { user, password } = this.options.auth!;
    if (reply.code === 235) return this.mail();
    if (reply.code === 334) {
      switch (this.expecting) {
        case 'auth-plain':
          // A server that ignores the initial response asks for it again (RFC 4954 §4).
          return [{ kind: 'send', line: plainResponse(user, password), secret: true }];
        case 'auth-login':
          this.expecting = 'auth-login-user';
          return [{ kind: 'send', line: Buffer.from(user, 'utf8').toString('base64'), secret: true }];
        case 'auth-login-user':
          this.expecting = 'auth-login-password';
          return [{ kind: 'send', line: Buffer.from(password, 'utf8').toString('base64'), secret: true }];
        default:
          // LOGIN (draft-murchison-sasl-login, in no RFC) asks twice; a third challenge: cancel with "*" (RFC 4954 §4).
          return [{ kind: 'send', line: '*' }];
      }
    }
    return this.failAndQuit(reply, 'auth');
  }

  private mail(): DialogueStep[] {
    const params: string[] = [];
    const size = wireLength(this.options.message);
    const limit = Number(this.extensions.get('SIZE') ?? '0');
    // RFC 1870 §6: a message larger than the announced SIZE would be refused; say so before sending it.
    if (Number.isInteger(limit) && limit > 0 && size > limit) return this.localFailure(`the message is ${size} octets and the server accepts at most ${limit} (SIZE in its EHLO reply, RFC 1870 §6); not sent`, 'mail', false);
    if (this.extensions.has('SIZE')) params.push(`SIZE=${size}`);
    if (hasEightBitBytes(this.options.message)) {
      // RFC 6152 §3: 8-bit content only to a server that offers 8BITMIME.
      if (!this.extensions.has('8BITMIME')) return this.localFailure('the message has 8-bit content and the server does not offer 8BITMIME (RFC 6152 §3)', 'mail', false);
      params.push('BODY=8BITMIME');
    }
    const international = [this.options.from, ...this.options.recipients].some((address) => /[^\x00-\x7f]/.test(address));
    if (international) {
      if (!this.extensions.has('SMTPUTF8')) return this.localFailure('an address is not ASCII and the server does not offer SMTPUTF8 (RFC 6531)', 'mail', false);
      params.push('SMTPUTF8');
    }
    this.expecting = 'mail';
    return [{ kind: 'send', line: `MAIL FROM:<${this.options.from}>${params.map((param) => ` ${param}`).join('')}` }];
  }

  private nextRcpt(): DialogueStep[] {
    const address = this.options.recipients[this.rcptIndex];
    if (address !== undefined) {
      this.expecting = 'rcpt';
      return [{ kind: 'send', line: `RCPT TO:<${address}>` }];
    }
    if (this.accepted.length === 0) return this.quit();
    this.expecting = 'data';
    return [{ kind: 'send', line: 'DATA' }];
  }

  private onRcpt(reply: AssembledReply): DialogueStep[] {
    const address = this.options.recipients[this.rcptIndex++]!;
    if (reply.code === 250 || reply.code === 251) this.accepted.push(address);
    else this.results.set(address, this.fromReply(address, reply, 'rcpt'));
    return this.nextRcpt();
  }

  private onData(reply: AssembledReply): DialogueStep[] {
    if (reply.code !== 354) {
      for (const address of this.accepted) this.results.set(address, this.fromReply(address, reply, 'data'));
      return this.quit();
    }
    this.expecting = 'message';
    return [{ kind: 'send-message', payload: dataPayload(this.options.message) }];
  }

  private quit(): DialogueStep[] {
    this.expecting = 'quit';
    return [{ kind: 'send', line: 'QUIT' }];
  }

  /** A reply that ends the transaction for every recipient still open; then QUIT. */
  private failAndQuit(reply: AssembledReply, stage: DialogueStage): DialogueStep[] {
    this.failPending(reply, stage);
    return this.quit();
  }

  private localFailure(text: string, stage: DialogueStage, temporary: boolean): DialogueStep[] {
    for (const address of this.options.recipients) {
      if (!this.results.has(address)) this.results.set(address, this.result(address, { ok: false, code: 0, text, temporary }, stage));
    }
    return this.quit();
  }

  /** The peer broke the protocol: no QUIT, just close. */
  private abandon(reason: string): DialogueStep[] {
    this.connectionLost(reason);
    return [{ kind: 'close' }];
  }

  private failPending(reply: AssembledReply, stage: DialogueStage): void {
    for (const address of this.options.recipients) {
      if (!this.results.has(address)) this.results.set(address, this.fromReply(address, reply, stage));
    }
  }

  private fromReply(address: string, reply: AssembledReply, stage: DialogueStage): RecipientResult {
    const ok = reply.code >= 200 && reply.code < 300;
    const base = { ok, code: reply.code, text: reply.lines.join(' ').trim(), temporary: !ok && reply.code < 500 };
    return this.result(address, reply.enhanced ? { ...base, enhanced: reply.enhanced } : base, stage);
  }

  private result(address: string, fields: Omit<RecipientResult, 'address' | 'host' | 'stage'>, stage: DialogueStage): RecipientResult {
    return { address, ...fields, host: this.options.host, stage };
  }

  private stageOf(expecting: Expecting): DialogueStage {
    switch (expecting) {
      case 'auth-plain':
      case 'auth-login':
      case 'auth-login-user':
      case 'auth-login-password':
        return 'auth';
      case 'done':
        return 'quit';
      default:
        return expecting;
    }
  }
}
