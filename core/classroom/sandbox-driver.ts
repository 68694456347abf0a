/** The in-process sandbox as a classroom driver: lines go to a SandboxSession, its events come out unstamped. */
import type { ClientInputMode } from '../client/tracker.js';
import type { Protocol } from '../events.js';
import type { Sandbox, SandboxSession, SandboxTarget } from '../sandbox/sandbox.js';
import type { ClassroomDriver, Emit } from './driver.js';

export class SandboxDriver implements ClassroomDriver {
  private readonly session: SandboxSession;

  constructor(sandbox: Sandbox, server: SandboxTarget, emit: Emit) {
    this.session = sandbox.open(server, { onEvent: (envelope) => emit(envelope.event) });
  }

  get protocol(): Protocol {
    return this.session.protocol;
  }

  get state(): string {
    return this.session.state;
  }

  get inputMode(): ClientInputMode {
    return this.session.inputKind;
  }

  get closed(): boolean {
    return this.session.closed;
  }

  async submit(lines: readonly string[]): Promise<void> {
    if (this.session.closed) return;
    // One write for a batch, as a pipelining client sends it (RFC 2920); UTF-8, as a terminal types it.
    await this.session.send(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'));
  }

  async next(): Promise<boolean> {
    return false;
  }

  async meta(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
