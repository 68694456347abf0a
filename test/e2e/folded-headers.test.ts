/**
 * A header folded with TABs (the lab's own Received: field, RFC 5322 §2.2.3)
 * as `maillab connect` shows it from a real POP3 session: whitespace in the
 * transcript, each TAB as ␉ with --show-bytes, never a raw TAB or "\x09".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
  const sent = await runMaillab(['send', '--from', 'alice@maillab.test', '--to', 'mrose@maillab.test', '--subject', 'folded', '--body', 'hello', '--server', `smtp://127.0.0.1:${lab.smtpPort}`]);
  expect(sent.code).toBe(0);
});
afterAll(() => lab.stop());

/** The RETR of mrose's newest message, as connect prints it. */
async function retrieveNewest(extra: string[]): Promise<string[]> {
  const script = 'USER mrose\nPASS tanstaaf\nSTAT\nQUIT\n';
  const stat = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--annotations', 'off'], script);
  const count = /^S: \+OK (\d+) /m.exec(stat.stdout)![1];
  const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--annotations', 'off', ...extra], `USER mrose\nPASS tanstaaf\nRETR ${count}\nQUIT\n`);
  expect(result.code).toBe(0);
  return result.stdout.split('\n');
}

describe('folded header fields in a transcript', () => {
  it('show the folding TABs as whitespace', async () => {
    const lines = await retrieveNewest([]);
    const received = lines.findIndex((line) => line.startsWith('S: Received: from '));
    expect(received).toBeGreaterThan(-1);
    expect(lines[received + 1]).toMatch(/^S: {9}\S/);
    expect(lines.join('\n')).not.toMatch(/\t|\\x09/);
  });

  it('--show-bytes reveals each TAB as ␉', async () => {
    const lines = await retrieveNewest(['--show-bytes']);
    const received = lines.findIndex((line) => line.startsWith('S: Received: from '));
    expect(lines[received + 1]).toMatch(/^S: ␉\S.*␍␊$/);
  });
});
