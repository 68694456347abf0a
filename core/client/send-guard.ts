/**
 * The raw client's guard before a line goes out (issue 18): credentials only
 * for an AUTH the server offered, unless insisted on (/plain!, --force-auth);
 * pipelining only when offered. It says why in one line, and remembers what
 * it held back for the exit status. Pure: the checks are client-guards.ts's.
 */
import type { WireEvent } from '../events.js';
import { credentialRefusal, pipeliningOffered } from './client-guards.js';
import type { ClientTracker } from './tracker.js';

export class SendGuard {
  /** Why credentials were held back, if they were (exit status 28). */
  heldBack: string | undefined;
  private pipelineNoted = false;

  constructor(
    private readonly tracker: ClientTracker,
    private readonly say: (event: WireEvent) => void,
    private readonly forceAuth = false,
  ) {}

  /** True when the line may go; a line with credentials for an AUTH not offered is held back, with why and what to do. */
  credentials(line: string, insist: boolean, tls: boolean): boolean {
    const refusal = credentialRefusal(this.tracker, line, tls);
    if (refusal === undefined) return true;
    if (insist || this.forceAuth) {
      this.say({ kind: 'notice', text: `sending it anyway, as insisted: ${refusal.replace(/^not sent: /, '').replace(/; type \/plain!.*$/, '')}` });
      return true;
    }
    this.heldBack = refusal;
    this.say({ kind: 'notice', text: refusal, level: 'warning' });
    return false;
  }

  /** Batches only when the server offered PIPELINING (RFC 2920 §3, RFC 2449 §6.6); otherwise lock-step, said once. */
  pipelining(): boolean {
    const offered = pipeliningOffered(this.tracker);
    if (offered === true) return true;
    if (offered === false && !this.pipelineNoted) {
      this.pipelineNoted = true;
      const smtp = this.tracker.protocol === 'smtp';
      this.say({ kind: 'notice', text: `--pipeline: the server did not offer PIPELINING in ${smtp ? 'its EHLO reply' : 'its CAPA answer'}, so commands go one at a time, each after the previous reply (RFC ${smtp ? '2920 §3' : '2449 §6.6'})` });
    }
    return false;
  }
}
