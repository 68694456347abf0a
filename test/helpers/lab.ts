/** Starts a real lab (Maildir in a temp folder, listeners on free loopback ports) for end-to-end tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireEvent } from '../../core/events.js';
import { DEFAULT_LAB_CONFIG, startLab, type LabConfig, type RunningLab } from '../../core/lab/lab-server.js';

export interface TestLab extends RunningLab {
  dir: string;
  pop3Port: number;
  pop3sPort: number;
  smtpPort: number;
  submissionPort: number;
  smtpsPort: number;
  events: { listener: string; connection: number; event: WireEvent }[];
  /** Stops the lab and removes its folder. */
  stop(): Promise<void>;
}

export async function startTestLab(overrides: Partial<LabConfig> = {}, dir = mkdtempSync(join(tmpdir(), 'maillab-test-'))): Promise<TestLab> {
  const events: TestLab['events'] = [];
  const lab = await startLab({
    ...DEFAULT_LAB_CONFIG,
    dataDir: join(dir, 'data'),
    pop3Port: 0,
    pop3sPort: 0,
    smtpPort: 0,
    submissionPort: 0,
    smtpsPort: 0,
    greetingDelayMs: 0,
    authFailureDelay: () => 0,
    authPenaltyDelay: () => 0,
    // Tests that relay to other domains inspect the queue; the ones about delivery turn the runner on.
    runQueue: false,
    onEvent: (listener, connection, { event }) => events.push({ listener, connection, event }),
    ...overrides,
  });
  const port = (name: string) => lab.listeners.find((l) => l.name === name)?.port ?? -1;
  return {
    ...lab,
    dir,
    pop3Port: port('pop3'),
    pop3sPort: port('pop3s'),
    smtpPort: port('smtp'),
    submissionPort: port('submission'),
    smtpsPort: port('smtps'),
    events,
    async stop() {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
