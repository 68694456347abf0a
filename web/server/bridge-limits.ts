/**
 * What the bridge holds at most, and for how long: sockets, sessions, a tab's
 * backlog and waiting input, its quiet and resume times. The socket caps and
 * the newcomers' share follow from the session caps unless set.
 */

export interface BridgeLimits {
  /** The largest message a page may send, in bytes. */
  maxPayload: number;
  /** Open tab sessions per client address (attached or waiting to be resumed). */
  sessionsPerAddress: number;
  /** Open tab sessions in all: each may hold a connection to the lab, so keep it below the lab's own cap. */
  maxSessions: number;
  /** Of `maxSessions`, the last this many go only to addresses with no session yet: a new learner finds room. */
  newcomerSlots: number;
  /** Open WebSockets per client address, with or without a session (default: sessionsPerAddress + 5). */
  socketsPerAddress: number;
  /** Open WebSockets in all (default: maxSessions + 50). */
  maxSockets: number;
  /** A socket that sends no `hello` within this time is closed. */
  helloTimeoutMs: number;
  /** A tab that sends nothing for this long is ended. */
  idleTimeoutMs: number;
  /** A tab whose page went away is kept this long for it to resume. */
  resumeGraceMs: number;
  /** A tab whose page said goodbye (closed or reloaded) is kept only this long: long enough for a reload to resume. */
  goodbyeGraceMs: number;
  /** A page whose unread output passes this many bytes is dropped (it may resume later). */
  sendBufferLimit: number;
  /** Events kept per tab for resuming. */
  backlogLimit: number;
  /** Bytes kept per tab for resuming; past it the oldest bodies lose their content, then the oldest events go. */
  backlogBytes: number;
  /** Bytes of a tab's messages waiting their turn; a message past it is refused with BUSY. */
  inputQueueBytes: number;
}

export const DEFAULT_BRIDGE_LIMITS: Omit<BridgeLimits, 'socketsPerAddress' | 'maxSockets' | 'newcomerSlots'> = {
  maxPayload: 64 * 1024,
  sessionsPerAddress: 20,
  maxSessions: 500,
  helloTimeoutMs: 5000,
  idleTimeoutMs: 30 * 60_000,
  resumeGraceMs: 60_000,
  goodbyeGraceMs: 1500,
  sendBufferLimit: 1024 * 1024,
  backlogLimit: 5_000,
  backlogBytes: 2 * 1024 * 1024,
  inputQueueBytes: 1024 * 1024,
};

/** The limits with the derived ones filled in. */
export function bridgeLimits(given: Partial<BridgeLimits> = {}): BridgeLimits {
  const base = { ...DEFAULT_BRIDGE_LIMITS, ...given };
  return {
    ...base,
    newcomerSlots: given.newcomerSlots ?? Math.max(1, Math.floor(base.maxSessions / 10)),
    socketsPerAddress: given.socketsPerAddress ?? base.sessionsPerAddress + 5,
    maxSockets: given.maxSockets ?? base.maxSessions + 50,
  };
}
