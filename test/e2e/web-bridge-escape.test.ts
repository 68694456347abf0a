/**
 * Terminal escapes from a server never reach a terminal as controls: an
 * allowed server that answers STLS with ESC sequences (clear the screen, an
 * OSC 8 link, a bell) makes the bridge refuse with TARGET_FAILED, and the
 * refusal's text, as the bridge sends it and as the page writes it to
 * xterm.js, carries them only as visible escapes (core/escape-text.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { noticeText } from '../../web/page/notice-text.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';

const HOSTILE = '-ERR \x1b[2J\x1b[H\x1b]8;;https://evil.example/\x07click here\x1b]8;;\x07 \x9b31m\u202ereversed\r';
let hostile: Server;
let hostilePort: number;
let classroom: RunningClassroom;
const peers: Socket[] = [];

beforeAll(async () => {
  hostile = createServer((socket) => {
    peers.push(socket);
    socket.on('error', () => undefined);
    socket.write('+OK hostile server\r\n');
    socket.on('data', (chunk) => {
      if (/^STLS/i.test(chunk.toString('latin1'))) socket.write(Buffer.from(`${HOSTILE}\r\n`, 'utf8'));
    });
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', () => resolve()));
  hostilePort = (hostile.address() as { port: number }).port;
  classroom = await startClassroom({ host: '127.0.0.1', port: 0, listeners: [], allowRemote: [`127.0.0.1:${hostilePort}`], webNames: [], logins: [] });
});

afterAll(async () => {
  await classroom?.server.close();
  for (const socket of peers) socket.destroy();
  await new Promise<void>((resolve) => hostile.close(() => resolve()));
});

const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/;

describe('a refusal carrying a hostile server line', () => {
  it('reaches the page escaped, and the page writes it escaped', async () => {
    const tab = await TestBridgeClient.open(classroom.server.port);
    await tab.until(() => tab.welcome !== undefined, 'welcome');
    tab.send({ v: 1, t: 'open', target: { kind: 'remote', url: `pop3://127.0.0.1:${hostilePort}`, starttls: true } });
    await tab.until(() => tab.refusals().some((refusal) => refusal.code === 'TARGET_FAILED'), 'the refusal');
    const message = tab.refusals().find((refusal) => refusal.code === 'TARGET_FAILED')!.message;
    expect(message).toContain('STLS');
    expect(message).toContain('\\x1b[2J');
    expect(message).toContain('\\x1b]8;;https://evil.example/\\x07');
    expect(message).not.toMatch(CONTROLS);
    // What the page writes to its terminal for it (main.ts: "refused (CODE): message").
    const written = noticeText(`refused (TARGET_FAILED): ${message}`);
    expect(written).not.toMatch(CONTROLS);
    // Even text that reached the page raw is escaped by the page itself.
    expect(noticeText(`refused (TARGET_FAILED): ${HOSTILE}`)).not.toMatch(CONTROLS);
    expect(noticeText('two\nlines')).toBe('   two\r\n   lines');
    await tab.close();
  });
});
