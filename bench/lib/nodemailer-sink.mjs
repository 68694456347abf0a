// nodemailer's smtp-server as a peer: accepts any mail and writes each message to
// its own file, in its own process; with "fsync", each file is fsynced before the 250
// (maillab's durability, less the rename and directory sync).
// Usage: node nodemailer-sink.mjs PORT FOLDER [fsync]
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const [port, folder, durability] = process.argv.slice(2);

async function store(path, bytes) {
  if (durability !== 'fsync') return writeFile(path, bytes);
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

let count = 0;
const server = new SMTPServer({
  disableReverseLookup: true, // PEERS.md: the resolver does not answer here
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 5000,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      store(join(folder, `${process.pid}.${++count}.eml`), Buffer.concat(chunks)).then(() => callback(), callback);
    });
  },
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
