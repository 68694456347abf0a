/**
 * A tiny DNS server for the lab (`maillab serve --dns-port`): UDP, publishing
 * MX records for the lab's mail domains, pointing at the lab's host name, and
 * an A record for that name, so `maillab send --direct --dns …` and the MX
 * lesson can be tried on one machine. It also publishes one domain with a
 * null MX (RFC 7505), to see the 556 5.1.10 a sender gives for it. Every other
 * name is NXDOMAIN: the server answers for the lab only, and never recurses.
 */
import dns2 from 'dns2';
import { hostPort } from '../host-port.js';

const { Packet } = dns2;

/** The domain whose null MX ("0 .") says it takes no mail (RFC 7505). */
export const NULL_MX_DOMAIN = 'nomail.test';

export interface LabDnsOptions {
  /** The address to listen on (UDP). */
  host: string;
  port: number;
  /** The lab's mail domains: each gets "MX 10 mailHost". */
  domains: readonly string[];
  /** The MX target (the lab's host name) and the IPv4 address it resolves to. */
  mailHost: string;
  mailAddress: string;
}

export interface LabDns {
  /** "127.0.0.1:5353", for `--dns`. */
  readonly address: string;
  readonly port: number;
  /** What it publishes, one record a line, for the start-up message. */
  readonly records: readonly string[];
  close(): Promise<void>;
}

/** Starts the lab's DNS server; rejects if the port cannot be bound. */
export async function startLabDns(options: LabDnsOptions): Promise<LabDns> {
  const mailHost = options.mailHost.toLowerCase();
  const mx = new Map<string, { exchange: string; priority: number }>(options.domains.map((domain) => [domain.toLowerCase(), { exchange: mailHost, priority: 10 }]));
  mx.set(NULL_MX_DOMAIN, { exchange: '', priority: 0 });
  const records = [...[...mx].map(([domain, record]) => `${domain} MX ${record.priority} ${record.exchange || '.'}`), `${mailHost} A ${options.mailAddress}`];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (!question) return void send(response);
      const name = question.name.toLowerCase();
      const known = mx.has(name) || name === mailHost;
      if (!known) response.header.rcode = 3; // NXDOMAIN
      else if (question.type === Packet.TYPE.MX && mx.has(name)) {
        const record = mx.get(name)!;
        response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 60, exchange: record.exchange, priority: record.priority }));
      } else if (question.type === Packet.TYPE.A && name === mailHost) {
        response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 60, address: options.mailAddress }));
      }
      void send(response);
    },
  });
  // A port in use is an 'error' event, not a rejection: turn it into one.
  const failed = new Promise<never>((_, reject) => server.once('error', (error: Error) => reject(error)));
  const bound = await Promise.race([server.listen({ udp: { port: options.port, address: options.host } }), failed]);
  server.on('error', () => {}); // a malformed packet later must not stop the lab
  const port = bound.udp!.port;
  return { address: hostPort(options.host, port), port, records, close: () => server.close() };
}
