/**
 * What a page may open, decided in one place: a page's `TargetChoice` (from
 * the picker or a meta-command) becomes a target only if it is one of the
 * lab's own listeners, the sandbox, a known lesson, or a remote server on the
 * operator's --allow-remote list.
 */
import type { LessonSummary, TargetChoice } from '../protocol/messages.js';
import { checkRemote, type AllowedRemote } from './remote-allowlist.js';
import type { ResolvedTarget, TabSession } from './tab-session.js';

/** A lab listener a page may pick. */
export interface LabListenerRef {
  readonly name: 'pop3' | 'smtp' | 'submission';
  /** Where the bridge connects: loopback when the lab listens on every interface. */
  readonly url: string;
}

export interface TargetRules {
  lab: readonly LabListenerRef[];
  allowRemote: readonly AllowedRemote[];
  lessons: readonly LessonSummary[];
}

/** Resolves a page's choice against the rules, or says why not. */
export function targetResolver(rules: TargetRules): (choice: TargetChoice) => ResolvedTarget {
  return (choice) => {
    switch (choice.kind) {
      case 'lab': {
        const listener = rules.lab.find((entry) => entry.name === choice.server);
        if (!listener) return { ok: false, code: 'TARGET_FAILED', message: `the lab's ${choice.server} listener is off` };
        return { ok: true, target: { kind: 'remote', url: listener.url, insecure: true }, label: `lab ${choice.server} (${listener.url})` };
      }
      case 'sandbox':
        return { ok: true, target: { kind: 'sandbox', server: choice.server }, label: `sandbox ${choice.server} (in process)` };
      case 'remote': {
        const own = rules.lab.map((entry) => entry.url.replace(/^[a-z0-9]+:\/\//, '').replace(/^\[(.*)\](:\d+)$/, '$1$2'));
        const decision = checkRemote(choice.url, rules.allowRemote, own);
        if (!decision.ok) return { ok: false, code: 'REMOTE_NOT_ALLOWED', message: decision.reason };
        return {
          ok: true,
          target: { kind: 'remote', url: choice.url, ...(choice.starttls ? { starttls: true } : {}), ...(choice.insecure ? { insecure: true } : {}) },
          label: choice.url,
        };
      }
      case 'lesson': {
        const lesson = rules.lessons.find((entry) => entry.id === choice.id);
        if (!lesson) return { ok: false, code: 'NO_SUCH_LESSON', message: `no lesson "${choice.id}"` };
        const mode = lesson.watchOnly ? 'watch' : choice.mode;
        return { ok: true, target: { kind: 'lesson', id: lesson.id, mode }, label: `lesson ${lesson.id}: ${lesson.title} (${mode})`, lesson };
      }
    }
  };
}

/** Meta-commands that change the target go through the same checks as the picker; the rest run in the session. */
export async function bridgeMetaCommand(session: TabSession, line: string): Promise<void> {
  const [name = '', ...words] = line.slice(1).trim().split(/\s+/);
  switch (name.toLowerCase()) {
    case 'connect': {
      const what = words[0] ?? '';
      if (what === 'pop3' || what === 'smtp' || what === 'submission') return session.open({ kind: 'lab', server: what });
      if (what === '') return session.notice('usage: /connect pop3|smtp|submission|URL [--starttls] [--insecure]', 'warning');
      return session.open({ kind: 'remote', url: what, ...(words.includes('--starttls') ? { starttls: true } : {}), ...(words.includes('--insecure') ? { insecure: true } : {}) });
    }
    case 'sandbox': {
      const server = words[0] ?? 'pop3';
      if (server !== 'pop3' && server !== 'smtp' && server !== 'submission') return session.notice('usage: /sandbox [pop3|smtp|submission]', 'warning');
      return session.open({ kind: 'sandbox', server });
    }
    case 'lesson': {
      const mode = words[1] ?? 'step';
      if (!words[0] || (mode !== 'watch' && mode !== 'step' && mode !== 'practice')) return session.notice('usage: /lesson ID [watch|step|practice]', 'warning');
      return session.open({ kind: 'lesson', id: words[0], mode });
    }
    case 'next':
      return session.next();
    case 'save':
      return session.notice('in the browser, use the download buttons (text or JSON)');
    default:
      return session.meta(line);
  }
}
