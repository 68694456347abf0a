import { connect, createServer } from 'node:net';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until something listens on 127.0.0.1:port, or the child exits. */
export async function waitForPort(port, output, child) {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child && child.exitCode !== null) throw new Error(`${child.spawnfile} exited: ${output()}`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}: ${output()}`);
}
