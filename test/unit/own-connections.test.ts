import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OwnConnections } from '../../core/net/own-connections.js';
import { until } from '../helpers/time.js';

describe('OwnConnections', () => {
  it('recognises a socket this process opened, even when the listener accepts it before its connect event, and forgets it when it closes', async () => {
    const own = new OwnConnections();
    const verdicts: Promise<boolean>[] = [];
    const accepted: Socket[] = [];
    const server = createServer((socket) => {
      accepted.push(socket);
      verdicts.push(Promise.resolve(own.classify(socket.remoteAddress, socket.remotePort)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    const ours = connect(port, '127.0.0.1');
    own.track(ours);
    const stranger = connect(port, '127.0.0.1');
    await until(() => accepted.length === 2 && ours.localPort !== undefined && stranger.localPort !== undefined, 'both connections to be accepted');
    const byPort = new Map(accepted.map((socket, index) => [socket.remotePort, verdicts[index]!]));
    expect(await byPort.get(ours.localPort)).toBe(true);
    expect(await byPort.get(stranger.localPort)).toBe(false);
    expect(own.size).toBe(1);
    ours.destroy();
    stranger.destroy();
    await until(() => own.size === 0, 'the closed socket to be forgotten', 2000, { detail: () => `${own.size} still tracked` });
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
