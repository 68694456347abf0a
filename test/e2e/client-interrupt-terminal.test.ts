/**
 * Issue 18 in a real terminal (tmux): in `maillab connect` and the TUI,
 * Ctrl-C works at once whatever is awaited (a reply that never comes, a TLS
 * handshake that never starts); a typed STARTTLS whose handshake fails ends
 * the session at once (connect: exit 29; TUI: CLOSED, /connect offered);
 * an unverified TLS session is marked on the prompt and in the status bar.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';
import { makeCertificate, onLines, startScriptedServer, startTlsSmtpServer, type RunningServer } from '../helpers/scripted-server.js';
import { Terminal } from '../helpers/terminal.js';

let silent: RunningServer;
let closesAfterStartTls: RunningServer;
let stallsAfterStartTls: RunningServer;
let unverified: RunningServer;
const terminals: Terminal[] = [];
let caFile = '';

/** Greets and answers EHLO (offering STARTTLS); what happens after "220" to STARTTLS is `after`'s. */
function smtpThen(after: ((socket: Socket) => void) | undefined): (socket: Socket) => void {
  return (socket) => {
    socket.write('220 scripted.test ESMTP\r\n');
    let upgraded = false;
    onLines(socket, (line) => {
      if (upgraded || !after) return; // no `after`: silent after the greeting
      if (/^EHLO/i.test(line)) socket.write('250-scripted.test\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS/i.test(line)) {
        upgraded = true;
        socket.write('220 2.0.0 go ahead\r\n');
        after(socket);
      }
    });
  };
}

beforeAll(async () => {
  [silent, closesAfterStartTls, stallsAfterStartTls, unverified] = await Promise.all([
    startScriptedServer(smtpThen(undefined)),
    startScriptedServer(smtpThen((socket) => socket.destroy())),
    startScriptedServer(smtpThen(() => {})),
    makeCertificate('mail.other.example', ['mail.other.example']).then((certificate) => {
      caFile = join(mkdtempSync(join(tmpdir(), 'maillab-ca-')), 'ca.pem');
      writeFileSync(caFile, certificate.cert);
      return startTlsSmtpServer(certificate);
    }),
  ]);
});
afterAll(async () => {
  for (const terminal of terminals) terminal.kill();
  await Promise.all([silent, closesAfterStartTls, stallsAfterStartTls, unverified].map((server) => server.close()));
});

function terminal(name: string, command: string): Terminal {
  const opened = new Terminal(`maillab-${name}-${process.pid}`);
  terminals.push(opened);
  opened.start(command, { width: 140, height: 40 });
  return opened;
}

/** A config folder with a history file: not a first run, so no welcome. */
function configHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'maillab-tui-config-'));
  mkdirSync(join(home, 'maillab'));
  writeFileSync(join(home, 'maillab', 'history'), '');
  return home;
}

describe('maillab connect on a terminal', () => {
  it('a typed STARTTLS whose handshake fails: one line, then exit 29 at once', async () => {
    const connect = terminal('connect-tls-fail', `${BIN} connect smtp://127.0.0.1:${closesAfterStartTls.port}`);
    await connect.waitFor(/^smtp INIT> ?$/m);
    await connect.type('EHLO me', /^smtp READY> ?$/m);
    const screen = await connect.type('STARTTLS', /exit status 29/);
    expect(screen).toMatch(/TLS with 127\.0\.0\.1:\d+ failed/);
    expect(screen).toMatch(/exit status 29: TLS failed/);
  });

  it('Ctrl-C while a reply never comes: exit 130 at once', async () => {
    const connect = terminal('connect-ctrl-c-reply', `${BIN} connect smtp://127.0.0.1:${silent.port} --timeout 120`);
    await connect.waitFor(/^smtp INIT> ?$/m);
    await connect.type('EHLO me', /^C: EHLO me$/m);
    connect.key('C-c');
    await connect.waitFor(/^exit status 130$/m, 5000);
  });

  it('Ctrl-C while a TLS handshake never starts: exit 130 at once', async () => {
    const connect = terminal('connect-ctrl-c-tls', `${BIN} connect smtp://127.0.0.1:${stallsAfterStartTls.port} --timeout 120`);
    await connect.waitFor(/^smtp INIT> ?$/m);
    await connect.type('EHLO me', /^smtp READY> ?$/m);
    await connect.type('STARTTLS', /^S: 220 2\.0\.0 go ahead$/m);
    connect.key('C-c');
    await connect.waitFor(/^exit status 130$/m, 5000);
  });

  it('--insecure over a certificate that does not verify: every prompt says so', async () => {
    const connect = terminal('connect-unverified', `${BIN} connect smtps://127.0.0.1:${unverified.port} --insecure`);
    const screen = await connect.waitFor(/^\[TLS UNVERIFIED\] smtp INIT> ?$/m);
    expect(screen).toMatch(/the certificate is self-signed .*; the certificate is for mail\.other\.example, not 127\.0\.0\.1/);
    await connect.type('EHLO me', /^\[TLS UNVERIFIED\] smtp READY> ?$/m);
  });
});

describe('maillab tui on a terminal', () => {
  it('Ctrl-C twice while a reply never comes: it leaves with 130', async () => {
    const tui = terminal('tui-ctrl-c', `CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui smtp://127.0.0.1:${silent.port} --timeout 120`);
    await tui.waitFor(/SMTP │ no TLS/);
    await tui.type('EHLO me', /C: EHLO me/);
    tui.key('C-c');
    await tui.waitFor(/press Ctrl-C again to leave/, 5000);
    tui.key('C-c');
    await tui.waitFor(/^exit status 130$/m, 5000);
  });

  it('a typed STARTTLS whose handshake fails: CLOSED in the status bar, /connect offered, the prompt back at once', async () => {
    const tui = terminal('tui-tls-fail', `CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui smtp://127.0.0.1:${closesAfterStartTls.port} --timeout 120`);
    await tui.waitFor(/SMTP │ no TLS/);
    await tui.type('EHLO me', /smtp READY>/);
    const screen = await tui.type('STARTTLS', /SMTP │ no TLS │ CLOSED/);
    expect(screen).toMatch(/TLS with 127\.0\.0\.1:\d+ failed/);
    expect(screen).toMatch(/\/connect URL/);
    // The prompt answers at once: a line typed now is refused locally, not sent.
    await tui.type('NOOP', /the session is closed: \/connect/);
  });

  it('--insecure over a certificate that does not verify: the status bar says TLS UNVERIFIED', async () => {
    const tui = terminal('tui-unverified', `CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui smtps://127.0.0.1:${unverified.port} --insecure`);
    await tui.waitFor(/SMTP │ TLS UNVERIFIED/);
  });

  it('--ca-file and --servername: the certificate verifies, and the status bar says plain TLS', async () => {
    const tui = terminal('tui-verified', `CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui smtps://127.0.0.1:${unverified.port} --ca-file ${caFile} --servername mail.other.example`);
    const screen = await tui.waitFor(/SMTP │ TLS/);
    expect(screen).not.toMatch(/UNVERIFIED/);
  });
});
