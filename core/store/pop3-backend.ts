/**
 * Joins a user directory and a mail store into the port the POP3 engine asks
 * for, and enforces LOGIN-DELAY (RFC 2449 §6.5) with an injected clock.
 */
import type { OpenResult, Pop3Backend } from '../pop3/backend.js';
import type { MailStore } from './mail-store.js';
import type { UserDirectory } from './user-directory.js';

export interface LabBackendOptions {
  loginDelaySeconds?: number;
  now?: () => number;
}

export function createPop3Backend(users: UserDirectory, store: MailStore, options: LabBackendOptions = {}): Pop3Backend {
  const lastLogin = new Map<string, number>();
  const delayMs = (options.loginDelaySeconds ?? 0) * 1000;
  const now = options.now ?? Date.now;
  return {
    secretOf: (user) => users.secretOf(user),
    async openMaildrop(user): Promise<OpenResult> {
      const previous = lastLogin.get(user);
      if (delayMs > 0 && previous !== undefined && now() - previous < delayMs) {
        const wait = Math.ceil((delayMs - (now() - previous)) / 1000);
        return { ok: false, reason: 'login-delay', detail: `logged in too recently; wait ${wait} more second${wait === 1 ? '' : 's'}` };
      }
      const result = await store.openMaildrop(user);
      if (result.ok) lastLogin.set(user, now());
      return result;
    },
  };
}
