#!/usr/bin/env node
/**
 * npm test's first step: compiles dist/ (the end-to-end tests run it) and
 * type-checks the tests and the web page, the three tsc projects at once
 * (each is one single-threaded process, so on two or more cores this takes the
 * time of the longest, not of all three). Prints each failing project's
 * errors and exits non-zero if any failed.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECTS = ['tsconfig.json', 'test/tsconfig.json', 'web/page/tsconfig.json'];

function tsc(project) {
  return new Promise((resolve) => {
    const child = spawn(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['tsc', '-p', project], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('close', (code) => resolve({ project, code, output }));
  });
}

const results = await Promise.all(PROJECTS.map(tsc));
for (const { project, code, output } of results) if (code !== 0) process.stderr.write(`tsc -p ${project} failed:\n${output}\n`);
process.exit(results.every(({ code }) => code === 0) ? 0 : 1);
