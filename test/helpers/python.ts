/** Runs a Python 3 script (clients maillab did not write: smtplib, poplib) and parses its JSON output. */
import { execFile } from 'node:child_process';
import { scaled } from './time.js';

export function runPython<T = unknown>(script: string, env: Record<string, string | number> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      ['-c', script],
      { env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) }, timeout: scaled(30_000), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`python3 printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
    child.stdin?.end();
  });
}
