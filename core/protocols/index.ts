/**
 * The protocol data by name, and the questions front ends and clients ask of
 * it about a line as typed: which command it is, whether a pipelining client
 * must wait after it, whether its positive reply carries a body.
 */
import type { Protocol } from '../events.js';
import { POP3, pop3MultiLine } from './pop3.js';
import { commandSpec, type CommandSpec, type ProtocolData } from './protocol-data.js';
import { SMTP } from './smtp.js';

export function protocolData(protocol: Protocol): ProtocolData<string, string> {
  return (protocol === 'pop3' ? POP3 : SMTP) as ProtocolData<string, string>;
}

/** The command a line names (its first word, any case), if the protocol has it. */
export function commandOfLine(protocol: Protocol, line: string): CommandSpec<string> | undefined {
  const verb = line.trim().split(/\s+/, 1)[0] ?? '';
  return commandSpec(protocolData(protocol), verb.toUpperCase());
}

/** True when a pipelining client must wait for the reply to `line` before sending more (RFC 2920 §3.1; RFC 2449 §6.6). */
export function mustWaitAfter(protocol: Protocol, line: string): boolean {
  return commandOfLine(protocol, line)?.waitAfter ?? false;
}

/** True when a positive POP3 reply to `commandLine` is followed by a multi-line body ended by "." (RFC 1939 §3). */
export function pop3ReplyHasBody(commandLine: string): boolean {
  const spec = commandOfLine('pop3', commandLine);
  return spec !== undefined && pop3MultiLine(spec as CommandSpec<never>, commandLine.trim().split(/\s+/).length > 1);
}
