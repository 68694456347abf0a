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
import { scaled } from '../helpers/time.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/web');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let serve: ChildProcess;
let url: string;
let context: BrowserContext;
let page: Page;
let hostile: Server;
/** What serve printed (with --verbose: every lab session's lines and its close), across restarts. */
let serveOutput = '';

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'maillab-web-'));
  ({ serve, url } = await startServe('0'));
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'maillab-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 720 },
    acceptDownloads: true,
  });
  // Every wait on the page is on a condition; its bound is scaled by MAILLAB_TEST_TIME_FACTOR.
  context.setDefaultTimeout(scaled(30_000));
  page = context.pages()[0] ?? (await context.newPage());
  hostile = createServer((_request, response) => response.end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((resolvePromise) => hostile.listen(0, '127.0.0.1', () => resolvePromise()));
}, scaled(60_000));

afterAll(async () => {
  await context?.close();
  hostile?.close();
  if (serve) await stopServe(serve);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `maillab serve` on the test's data folder, the web page on `webPort` ("0": a free one); resolves once it prints the page's URL. */
async function startServe(webPort: string): Promise<{ serve: ChildProcess; url: string }> {
  const child = spawn(BIN, ['serve', '--verbose', '--data', join(dir, 'data'), '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', '0', '--submission-port', '0', '--smtps-port', 'off', '--web-port', webPort], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const found = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print the web URL:\n${output}`)), scaled(20_000));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      serveOutput += chunk;
      const ready = /ready: (http:\/\/\S+) — the browser classroom/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolvePromise(ready[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
  return { serve: child, url: found };
}

async function stopServe(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((resolvePromise) => child.once('exit', resolvePromise));
}

const screen = () => page.evaluate(() => (window as unknown as { maillabScreen: () => string }).maillabScreen());
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

/** How many server lines ("S: …") the terminal of `on` shows: it only grows (the scroll-back holds 20,000 rows). */
const serverLines = (on: Page) => on.evaluate(() => ((window as unknown as { maillabScreen: () => string }).maillabScreen().match(/S: /g) ?? []).length);

/** Types each line and Enter, one at a time as a learner does: the next once the server has answered (a message's lines in DATA have no answer until the "."). */
async function typeLines(lines: readonly string[], on: Page = page): Promise<void> {
  for (const line of lines) {
    const answered = (await on.evaluate(() => document.body.dataset.state)) !== 'DATA' || line === '.';
    const before = await serverLines(on);
    await on.keyboard.type(line);
    await on.keyboard.press('Enter');
    if (answered) await on.waitForFunction((count) => ((window as unknown as { maillabScreen: () => string }).maillabScreen().match(/S: /g) ?? []).length > count, before);
  }
}

/** Resolves with the terminal's text once it matches `pattern` (checked in the page); fails after `ms`, scaled. */
async function waitForScreen(pattern: RegExp, ms = 10_000): Promise<string> {
  try {
    await page.waitForFunction(([source, flags]) => new RegExp(source, flags).test((window as unknown as { maillabScreen: () => string }).maillabScreen()), [pattern.source, pattern.flags] as const, { timeout: scaled(ms), polling: 100 });
  } catch {
    throw new Error(`the terminal never showed ${pattern}:\n${await screen()}`);
  }
  return screen();
}

/** The page's sequence number: the seq of the last event it drew. */
const lastSeq = (on: Page) => on.evaluate(() => Number(document.body.dataset.lastSeq ?? '0'));

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
  }, scaled(60_000));

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
  }, scaled(60_000));

  it('plays a lesson step by step, the narration beside the terminal', async () => {
    await page.selectOption('#lesson', 'beginner-02-first-pop3-session');
    await page.selectOption('#lesson-mode', 'step');
    await page.click('#play');
    await page.waitForFunction(() => !document.getElementById('narration-panel')?.hidden);
    for (let step = 0; step < 4; step++) {
      await page.waitForFunction(() => !(document.getElementById('next') as HTMLButtonElement).disabled);
      const before = await lastSeq(page);
      await page.click('#next');
      // The step has played once its events are drawn.
      await page.waitForFunction((seq) => Number(document.body.dataset.lastSeq ?? '0') > seq, before);
    }
    expect((await page.locator('#narration').innerText()).length).toBeGreaterThan(40);
    expect(await page.locator('#lesson-progress').innerText()).toContain('step');
    await waitForScreen(/C: USER /);
    await shot('04-lesson-step');
  }, scaled(60_000));

  it('shows projector mode and the light theme, and stays usable on a narrow screen', async () => {
    await page.keyboard.press('Alt+KeyP');
    await page.keyboard.press('Alt+KeyT');
    expect(await page.evaluate(() => document.body.className)).toMatch(/projector/);
    expect(await page.evaluate(() => document.body.className)).toMatch(/theme-light/);
    await shot('05-projector-light');
    await page.keyboard.press('Alt+KeyP');
    await page.keyboard.press('Alt+KeyT');
    await page.setViewportSize({ width: 760, height: 900 });
    await page.waitForFunction(() => document.getElementById('terminal')!.getBoundingClientRect().right <= 760);
    await shot('06-narrow');
    const box = await page.locator('#terminal').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    await page.setViewportSize({ width: 1280, height: 720 });
  }, scaled(60_000));

  it('downloads the transcript as text and as JSON, secrets masked', async () => {
    const [text] = await Promise.all([page.waitForEvent('download'), page.click('#download-text')]);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const { readFileSync } = await import('node:fs');
    const transcript = readFileSync((await text.path())!, 'utf8');
    expect(transcript).toContain('C: PASS ********');
    expect(transcript).not.toContain('PASS wonderland');
    const envelopes = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { seq: number }[];
    expect(envelopes.map((envelope) => envelope.seq)).toEqual(envelopes.map((_, index) => index + 1));
  }, scaled(60_000));

  it('completes the classroom meta-commands with Tab, from the core list', async () => {
    await page.click('#terminal');
    await page.keyboard.type('/con');
    await page.keyboard.press('Tab');
    await waitForScreen(/\/connect $/m);
    await page.keyboard.press('Control+U');
    await page.keyboard.type('/l');
    await page.keyboard.press('Tab');
    const hint = await page.locator('#hint').innerText();
    expect(hint).toContain('/lesson');
    expect(hint).toContain('/login');
    await page.keyboard.press('Control+U');
    await page.keyboard.type('/proj');
    await page.keyboard.press('Tab');
    await waitForScreen(/\/projector$/m);
    await shot('07-meta-completion');
    await page.keyboard.press('Control+U');
  }, scaled(30_000));

  it('plays a lesson by itself in watch mode', async () => {
    await page.selectOption('#lesson', 'beginner-02-first-pop3-session');
    await page.selectOption('#lesson-mode', 'watch');
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('lesson-progress')?.textContent?.includes('(watch)'));
    // No click on "next": the page asks for a step every 1.8 s.
    await page.waitForFunction(() => /step [3-9]\d* of/.test(document.getElementById('lesson-progress')?.textContent ?? ''), undefined, { timeout: scaled(15_000) });
    expect(await page.locator('#lesson-progress').innerText()).toContain('(watch)');
    await waitForScreen(/C: USER alice/);
    await shot('08-lesson-watch');
  }, scaled(30_000));

  it('takes the learner\'s lines in practice mode: a right line is accepted, a wrong one shows the server\'s real refusal, then a hint', async () => {
    await page.selectOption('#lesson', 'beginner-02-first-pop3-session');
    await page.selectOption('#lesson-mode', 'practice');
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('lesson-progress')?.textContent?.includes('(practice)'));
    expect(await page.locator('#next').isDisabled()).toBe(true);
    await page.click('#terminal');
    await page.keyboard.press('Control+U');
    await typeLines(['STAT']);
    // The lab's own refusal (not a canned one), then why the line does not count.
    const refused = await waitForScreen(/C: STAT\n(.*\n)*?S: -ERR [^\n]*AUTHORIZATION\n(.*\n)*?.*Type \/reveal/);
    await typeLines(['USER alice']);
    const accepted = await waitForScreen(/S: -ERR [^\n]*AUTHORIZATION\n(.*\n)*?C: USER alice\n(.*\n)*?S: \+OK alice, send PASS/);
    await shot('09-lesson-practice');
    expect(refused).toMatch(/S: -ERR/);
    expect(accepted.lastIndexOf('C: USER alice')).toBeGreaterThan(accepted.lastIndexOf('C: STAT'));
  }, scaled(30_000));

  it('ends a closed tab\'s session at once: the same user logs in from another tab without [IN-USE]', async () => {
    const first = await context.newPage();
    await first.goto(url);
    await first.waitForFunction(() => document.body.dataset.state === 'AUTHORIZATION');
    await first.click('#terminal');
    await typeLines(['USER alice', 'PASS wonderland'], first);
    await first.waitForFunction(() => document.body.dataset.state === 'TRANSACTION');
    // The first tab's lab session, the newest to log in as alice (serve --verbose prints each session's lines).
    const logins = [...serveOutput.matchAll(/^\[(pop3#\d+)\] C: USER alice$/gm)];
    const session = logins[logins.length - 1]![1]!;
    await first.close({ runBeforeUnload: true });
    // The bridge ends it after its goodbye grace (1.5 s): wait for the lab to say the session closed.
    await expect.poll(() => serveOutput.includes(`[${session}] closed`), { timeout: scaled(10_000), interval: 50 }).toBe(true);
    const second = await context.newPage();
    await second.goto(url);
    await second.waitForFunction(() => document.body.dataset.state === 'AUTHORIZATION');
    await second.click('#terminal');
    await typeLines(['USER alice', 'PASS wonderland'], second);
    await second.waitForFunction(() => document.body.dataset.state === 'TRANSACTION', undefined, { timeout: scaled(5000) });
    await typeLines(['QUIT'], second);
    await second.close({ runBeforeUnload: true });
  }, scaled(30_000));

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
  }, scaled(60_000));
  it('keeps its rows after a server restart and says a new session began', async () => {
    await page.keyboard.press('Control+U');
    const before = await screen();
    expect(before).toContain('C: USER alice');
    const webPort = new URL(url).port;
    await stopServe(serve);
    await page.waitForFunction(() => document.body.dataset.connection === 'closed');
    ({ serve } = await startServe(webPort));
    const after = await waitForScreen(/server restarted[\s\S]*S: \+OK POP3 server ready/, 20_000);
    expect(after).toContain('C: USER alice');
    expect(after).toContain('C: STAT');
    expect(after.indexOf('C: STAT')).toBeLessThan(after.indexOf('server restarted'));
    await page.waitForFunction(() => document.body.dataset.state === 'AUTHORIZATION' && document.body.dataset.connection === 'open');
    // The new session has made no transition yet: the diagram does not show the old session's last one.
    expect(await page.locator('#last-transition').innerText()).toBe('');
    await shot('10-after-restart');
  }, scaled(40_000));
});
