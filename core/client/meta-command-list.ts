/**
 * The raw client's meta-commands as data: name, usage, what each does, and
 * which argument starts a secret (so a console hides it while it is typed).
 * Pure: the help text, Tab completion and the console's masking read it;
 * core/client/meta-commands.ts runs them.
 */

export interface MetaCommandInfo {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  /** The index of the first argument that is a secret (everything from it on is hidden while typed). */
  readonly secretArgument?: number;
}

export const META_COMMANDS: readonly MetaCommandInfo[] = [
  { name: 'plain', usage: '/plain USER PASS', description: 'send AUTH PLAIN with the base64 of NUL USER NUL PASS (RFC 4616); held back when the server did not offer it: /plain! sends anyway', secretArgument: 1 },
  { name: 'login', usage: '/login USER', description: 'send AUTH LOGIN with the user name as initial response; then /b64 PASS' },
  { name: 'b64', usage: '/b64 TEXT', description: 'send TEXT base64-encoded (an AUTH LOGIN or SASL response)', secretArgument: 0 },
  { name: 'apop', usage: '/apop USER SECRET', description: 'send APOP USER with MD5(greeting timestamp + SECRET) (RFC 1939 section 7)', secretArgument: 1 },
  { name: 'cram', usage: '/cram USER SECRET', description: 'answer the CRAM-MD5 challenge just received (RFC 2195)', secretArgument: 1 },
  { name: 'decode', usage: '/decode BASE64', description: 'print what a base64 string says' },
  { name: 'bytes', usage: '/bytes on|off', description: 'show CR and LF as symbols, flag bare LF' },
  { name: 'more', usage: '/more', description: 'show the next lines of a long message or listing that was folded' },
  { name: 'show', usage: '/show N', description: 'show body N (numbered in the fold line) whole' },
  { name: 'annotations', usage: '/annotations full|brief|off', description: 'how much explanation to print under each line (off: mostly the wire)' },
  { name: 'save', usage: '/save FILE', description: 'save the transcript as FILE (C:/S: lines) and FILE.json (events)' },
  { name: 'quit', usage: '/quit', description: 'close the connection without sending QUIT' },
  { name: 'help', usage: '/help', description: 'this list' },
];

export const META_HELP = [
  'meta-commands (typed locally, never sent as such):',
  ...META_COMMANDS.map((command) => `  ${command.usage.padEnd(20)} ${command.description}`),
].join('\n');

/** True for lines that are meta-commands rather than protocol lines. */
export function isMetaCommand(line: string): boolean {
  return /^\/[a-z]/i.test(line);
}

/** The meta-command a line names, if it is one the list knows. */
export function findMetaCommand(line: string): MetaCommandInfo | undefined {
  const name = /^\/([a-z0-9]+)/i.exec(line)?.[1]?.toLowerCase();
  return META_COMMANDS.find((command) => command.name === name);
}

/** Where the secret of a typed meta-command line starts (its secret argument), or undefined. */
export function metaSecretStart(line: string): number | undefined {
  const info = findMetaCommand(line);
  if (info?.secretArgument === undefined) return undefined;
  // Words are separated by runs of blanks; the secret starts at the first character of argument N.
  const pattern = /\S+/g;
  let index = -1;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    if (index === info.secretArgument) return match.index;
    index++;
  }
  // Not typed yet: it will start after the blank that follows the last word typed.
  return index === info.secretArgument && /\s$/.test(line) ? line.length : undefined;
}
