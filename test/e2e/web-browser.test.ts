/// <reference lib="dom" />
/**
 * The classroom page in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, against `maillab serve` in a child process. Types into the
 * xterm.js terminal as a learner does, and reads the diagram, the explanation
 * panel and the terminal's text. Screenshots go to test-artifacts/web/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/web');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let serve: ChildProcess;
let url: string;
let context: BrowserContext;
let page: Page;
let hostile: Server;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'maillab-web-'));
  serve = spawn(BIN, ['serve', '--data', join(dir, 'data'), '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', '0', '--submission-port', '0', '--smtps-port', 'off', '--web-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print the web URL:\n${output}`)), 20_000);
    serve.stdout!.on('data', (chunk) => {
      output += chunk;
      const found = /ready: (http:\/\/\S+) — the browser classroom/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolvePromise(found[1]!);
      }
    });
    serve.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'maillab-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 720 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  hostile = createServer((_request, response) => response.end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((resolvePromise) => hostile.listen(0, '127.0.0.1', () => resolvePromise()));
}, 60_000);

afterAll(async () => {
  await context?.close();
  hostile?.close();
  serve?.kill('SIGTERM');
  if (serve && serve.exitCode === null) await new Promise((resolvePromise) => serve.once('exit', resolvePromise));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const screen = () => page.evaluate(() => (window as unknown as { maillabScreen: () => string }).maillabScreen());
const state = () => page.evaluate(() => document.body.dataset.state);
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

async function typeLines(lines: readonly string[]): Promise<void> {
  for (const line of lines) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    // One line at a time, as a learner types: the next after the reply (the status changes or the screen grows).
    await page.waitForTimeout(150);
  }
}

async function waitForScreen(pattern: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${text}`);
    await page.waitForTimeout(100);
  }
}

async function connect(value: string, expected: string): Promise<void> {
  await page.selectOption('#target', value);
  await page.click('#connect');
  await page.waitForFunction((label) => document.getElementById('connection')?.textContent?.includes(label), expected);
}

// Debian's chromium is a test dependency: .ci/run installs it.
describe('the classroom page in Chromium', () => {
  it('opens on the lab POP3 listener; a login and STAT move the diagram to TRANSACTION and the panel explains the reply', async () => {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'AUTHORIZATION');
    expect(await waitForScreen(/S: \+OK POP3 server ready/)).toContain('lab pop3');
    await page.click('#terminal');
    await typeLines(['USER alice', 'PASS wonderland']);
    await page.waitForFunction(() => document.body.dataset.state === 'TRANSACTION');
    await typeLines(['STAT']);
    const text = await waitForScreen(/S: \+OK 4 \d+/);
    expect(text).toContain('C: PASS ********');
    expect(text).not.toContain('wonderland\n');
    expect(text.split('\n').filter((line) => line.includes('wonderland')).every((line) => line.includes('Demo logins'))).toBe(true);
    expect(await page.locator('.diagram .state.current').getAttribute('data-state')).toBe('TRANSACTION');
    expect(await page.locator('.diagram .edge.last').count()).toBe(1);
    const explanation = await page.locator('#explanation').innerText();
    expect(explanation).toMatch(/S: \+OK 4 \d+/);
    expect(explanation).toContain('+OK');
    expect(explanation).toContain('in answer to C: STAT');
    expect(explanation).toContain('RFC 1939 §5');
    await shot('01-pop3-stat');
    // Tab completion for the state: "RE" + Tab → "RETR " (RSET starts with R too, so type two letters).
    await page.keyboard.type('RE');
    await page.keyboard.press('Tab');
    expect(await page.locator('#hint').innerText()).toContain('RETR msg');
  }, 60_000);

  it('sends a message with SMTP and fetches it with POP3', async () => {
    await page.keyboard.press('Control+U');
    await connect('lab:smtp', 'lab smtp');
    await page.waitForFunction(() => document.body.dataset.protocol === 'smtp' && document.body.dataset.state === 'INIT');
    await page.click('#terminal');
    await typeLines(['EHLO learner.test', 'MAIL FROM:<bob@maillab.test>', 'RCPT TO:<alice@maillab.test>', 'DATA']);
    await page.waitForFunction(() => document.body.dataset.state === 'DATA');
    await typeLines(['Subject: sent from the browser', '', 'Hello from the classroom page.', '.']);
    await waitForScreen(/S: 250 2\.0\.0 /);
    await page.waitForFunction(() => document.body.dataset.state === 'READY');
    await shot('02-smtp-sent');
    await typeLines(['QUIT']);
    await connect('lab:pop3', 'lab pop3');
    await page.waitForFunction(() => document.body.dataset.protocol === 'pop3' && document.body.dataset.state === 'AUTHORIZATION');
    await page.click('#terminal');
    await typeLines(['USER alice', 'PASS wonderland', 'STAT']);
    await waitForScreen(/S: \+OK 5 \d+/);
    await typeLines(['RETR 5']);
    await waitForScreen(/S: Subject: sent from the browser/);
    await shot('03-pop3-fetched');
  }, 60_000);

  it('plays a lesson step by step, the narration beside the terminal', async () => {
    await page.selectOption('#lesson', 'beginner-01-first-pop3-session');
    await page.selectOption('#lesson-mode', 'step');
    await page.click('#play');
    await page.waitForFunction(() => !document.getElementById('narration-panel')?.hidden);
    for (let step = 0; step < 4; step++) {
      await page.waitForFunction(() => !(document.getElementById('next') as HTMLButtonElement).disabled);
      await page.click('#next');
      await page.waitForTimeout(250);
    }
    expect((await page.locator('#narration').innerText()).length).toBeGreaterThan(40);
    expect(await page.locator('#lesson-progress').innerText()).toContain('step');
    await waitForScreen(/C: USER /);
    await shot('04-lesson-step');
  }, 60_000);

  it('shows projector mode and the light theme, and stays usable on a narrow screen', async () => {
    await page.keyboard.press('Alt+KeyP');
    await page.keyboard.press('Alt+KeyT');
    expect(await page.evaluate(() => document.body.className)).toMatch(/projector/);
    expect(await page.evaluate(() => document.body.className)).toMatch(/theme-light/);
    await shot('05-projector-light');
    await page.keyboard.press('Alt+KeyP');
    await page.keyboard.press('Alt+KeyT');
    await page.setViewportSize({ width: 760, height: 900 });
    await page.waitForTimeout(300);
    await shot('06-narrow');
    const box = await page.locator('#terminal').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    await page.setViewportSize({ width: 1280, height: 720 });
  }, 60_000);

  it('downloads the transcript as text and as JSON, secrets masked', async () => {
    const [text] = await Promise.all([page.waitForEvent('download'), page.click('#download-text')]);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const { readFileSync } = await import('node:fs');
    const transcript = readFileSync((await text.path())!, 'utf8');
    expect(transcript).toContain('C: PASS ********');
    expect(transcript).not.toContain('PASS wonderland');
    const envelopes = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { seq: number }[];
    expect(envelopes.map((envelope) => envelope.seq)).toEqual(envelopes.map((_, index) => index + 1));
  }, 60_000);

  it('refuses a WebSocket opened by a page of another origin', async () => {
    const wsUrl = url.replace(/^http/, 'ws') + 'ws';
    const other = await context.newPage();
    await other.goto(`http://127.0.0.1:${(hostile.address() as { port: number }).port}/`);
    const outcome = await other.evaluate(
      (target) =>
        new Promise<string>((resolvePromise) => {
          const socket = new WebSocket(target);
          socket.onopen = () => resolvePromise('open');
          socket.onclose = (event) => resolvePromise(`closed ${event.code}`);
        }),
      wsUrl,
    );
    expect(outcome).toBe('closed 1006');
    await other.close();
  }, 60_000);
});
