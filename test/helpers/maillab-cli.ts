/** Runs the compiled bin/maillab in a child process, with optional stdin, for end-to-end tests. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { scaled } from './time.js';

export const BIN = resolve(__dirname, '../../bin/maillab');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `maillab args…` with `input` on stdin; fails (killing it) after `timeoutMs`, scaled by MAILLAB_TEST_TIME_FACTOR. */
export function runMaillab(args: string[], input = '', timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`maillab ${args.join(' ')} did not finish in ${scaled(timeoutMs)} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, scaled(timeoutMs));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
