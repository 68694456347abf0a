/**
 * A real DNS server for tests (npm dns2, UDP on 127.0.0.1, a free port)
 * publishing a small zone: MX and A records; every other name is NXDOMAIN,
 * a known name without the asked type is an empty answer (NODATA).
 */
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestZone {
  /** Domain → MX records, in the order the answer lists them. An exchange of "" is a null MX (RFC 7505). */
  mx?: Record<string, { exchange: string; priority: number }[]>;
  /** Host → IPv4 addresses. */
  a?: Record<string, string[]>;
  /** Names answered with SERVFAIL (a temporary DNS failure). */
  servfail?: string[];
}

export interface TestDnsServer {
  /** "127.0.0.1:PORT", for `--dns` and `Resolver.setServers`. */
  address: string;
  port: number;
  /** Every question asked, as "TYPE name". */
  queries: string[];
  close(): Promise<void>;
}

const TYPE_NAMES: Record<number, string> = { [Packet.TYPE.A]: 'A', [Packet.TYPE.AAAA]: 'AAAA', [Packet.TYPE.MX]: 'MX' };

export async function startTestDns(zone: TestZone): Promise<TestDnsServer> {
  const queries: string[] = [];
  const known = new Set([...Object.keys(zone.mx ?? {}), ...Object.keys(zone.a ?? {})].map((name) => name.toLowerCase()));
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (!question) return void send(response);
      const name = question.name.toLowerCase();
      queries.push(`${TYPE_NAMES[question.type] ?? question.type} ${name}`);
      if (zone.servfail?.includes(name)) {
        response.header.rcode = 2; // SERVFAIL
      } else if (!known.has(name)) {
        response.header.rcode = 3; // NXDOMAIN
      } else if (question.type === Packet.TYPE.MX) {
        for (const record of zone.mx?.[name] ?? []) {
          response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 60, exchange: record.exchange, priority: record.priority }));
        }
      } else if (question.type === Packet.TYPE.A) {
        for (const address of zone.a?.[name] ?? []) {
          response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 60, address }));
        }
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addresses.udp!.port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    close: () => server.close(),
  };
}
