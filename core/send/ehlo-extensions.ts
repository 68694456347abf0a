/** What `send` reads from an EHLO reply (RFC 5321 §4.1.1.1): the keywords, the AUTH mechanisms, and the PLAIN response it builds (RFC 4616). Pure. */

/** EHLO keyword lines ("SIZE 10485760", "AUTH PLAIN LOGIN") into keyword → parameters. */
export function parseExtensions(lines: readonly string[]): Map<string, string> {
  const extensions = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](.*))?$/.exec(line.trim());
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const params = (match[2] ?? '').trim();
    // Old servers announce "AUTH=LOGIN" beside (or instead of) "AUTH LOGIN": merge them.
    const previous = extensions.get(keyword);
    extensions.set(keyword, previous ? `${previous} ${params}`.trim() : params);
  }
  return extensions;
}

/** The SASL mechanisms of the AUTH keyword, upper-cased. */
export function authMechanisms(extensions: ReadonlyMap<string, string>): string[] {
  const params = extensions.get('AUTH');
  if (params === undefined) return [];
  return [...new Set(params.split(/\s+/).filter(Boolean).map((mechanism) => mechanism.toUpperCase()))];
}

/** RFC 4616: authzid NUL authcid NUL passwd, base64. */
export function plainResponse(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}
