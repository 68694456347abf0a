/// <reference lib="dom" />
/**
 * The class code in a real browser (Debian's Chromium, headless, through
 * playwright-core) against `maillab serve --class-code`: the page asks for the
 * code before anything opens, says why a wrong one was refused and asks again,
 * and with the right one the tab opens on the lab's POP3 listener.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let serve: ChildProcess;
let url: string;
let output = '';
let context: BrowserContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maillab-class-code-'));
  serve = spawn(BIN, ['serve', '--data', join(dir, 'data'), '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', 'off', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', '0', '--class-code', 'otter-42'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print the web URL:\n${output}`)), 20_000);
    serve.stdout!.on('data', (chunk) => {
      output += chunk;
      const ready = /ready: (http:\/\/\S+) — the browser classroom/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    serve.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'maillab-chromium-')), { executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (serve) {
    serve.kill('SIGTERM');
    if (serve.exitCode === null) await new Promise((resolve) => serve.once('exit', resolve));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the page with a class code', () => {
  it('asks for the code, refuses a wrong one, and opens the tab with the right one', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const asked: string[] = [];
    const answers = ['otter-41', 'otter-42'];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept(answers.shift() ?? '');
    });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'AUTHORIZATION', undefined, { timeout: 20_000 });
    expect(asked).toEqual([
      'this classroom asks for its class code. Your teacher gives the class code: type it to join.',
      'that is not the class code. Your teacher gives the class code: type it to join.',
    ]);
    const screen = await page.evaluate(() => (window as unknown as { maillabScreen: () => string }).maillabScreen());
    expect(screen).toContain('refused (CLASS_CODE): that is not the class code');
    expect(screen).toMatch(/\+OK POP3 server ready/);
    // serve logged the wrong code, and says at start nothing about exposure (it listens on loopback).
    expect(output).toMatch(/\[web\] refused a WebSocket from 127\.0\.0\.1: wrong class code/);
  }, 60_000);
});
