/** One line, no stack trace, non-zero exit (house rule). */
export function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`maillab: ${message}\n`);
  process.exit(1);
}
