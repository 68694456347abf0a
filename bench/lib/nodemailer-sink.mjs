// nodemailer's smtp-server as a peer: accepts any mail and writes each message to
// its own file (no fsync), in its own process. Usage: node nodemailer-sink.mjs PORT FOLDER
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const [port, folder] = process.argv.slice(2);
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
      writeFile(join(folder, `${process.pid}.${++count}.eml`), Buffer.concat(chunks)).then(() => callback(), callback);
    });
  },
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
