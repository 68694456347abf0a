/**
 * The bridge's sessions are the shared classroom sessions (core/classroom),
 * each tab with its own in-process sandbox, so what one tab does in the
 * sandbox another never sees.
 */
import { ClassroomSession } from '../../core/classroom/classroom-session.js';
import type { Socket } from 'node:net';
import type { OwnConnections } from '../../core/net/own-connections.js';
import { Sandbox } from '../../core/sandbox/sandbox.js';
import type { OpenTarget } from './target-session.js';

export interface ClassroomOpenerOptions {
  lessonsDir?: string;
  replyTimeoutMs?: number;
  clock?: () => number;
  hostname?: string;
  domains?: readonly string[];
  /** Told of each TCP socket a tab opens, with the learner's address: the lab learns which loopback connections are the bridge's own, and whose. */
  ownConnections?: OwnConnections;
}

/** A fresh opener for one tab, opened from the learner's browser at `address`. */
export function classroomOpener(options: ClassroomOpenerOptions = {}): (address: string) => OpenTarget {
  return (address) => {
    const onSocket = options.ownConnections ? (socket: Socket) => options.ownConnections!.track(socket, address) : undefined;
    let sandbox: Sandbox | undefined;
    return (target, onEnvelope) =>
      ClassroomSession.open(target, {
        get sandbox() {
          return (sandbox ??= new Sandbox({
            clock: options.clock ?? Date.now,
            ...(options.hostname ? { hostname: options.hostname } : {}),
            ...(options.domains ? { domains: options.domains } : {}),
          }));
        },
        onEnvelope,
        clock: options.clock ?? Date.now,
        ...(options.lessonsDir ? { lessonsDir: options.lessonsDir } : {}),
        ...(options.replyTimeoutMs ? { replyTimeoutMs: options.replyTimeoutMs } : {}),
        ...(onSocket ? { onSocket } : {}),
      });
  };
}
