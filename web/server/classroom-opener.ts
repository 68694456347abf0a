/**
 * The bridge's sessions are the shared classroom sessions (core/classroom),
 * each tab with its own in-process sandbox, so what one tab does in the
 * sandbox another never sees.
 */
import type { Socket } from 'node:net';
import { ClassroomSession } from '../../core/classroom/classroom-session.js';
import { Sandbox } from '../../core/sandbox/sandbox.js';
import type { OpenTarget } from './target-session.js';

export interface ClassroomOpenerOptions {
  lessonsDir?: string;
  replyTimeoutMs?: number;
  clock?: () => number;
  hostname?: string;
  domains?: readonly string[];
  /** Told of each TCP socket a tab opens (the lab learns which loopback connections are the bridge's own). */
  onSocket?: (socket: Socket) => void;
}

/** A fresh opener for one tab. */
export function classroomOpener(options: ClassroomOpenerOptions = {}): () => OpenTarget {
  return () => {
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
        ...(options.onSocket ? { onSocket: options.onSocket } : {}),
      });
  };
}
