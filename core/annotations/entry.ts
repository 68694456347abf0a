/** One entry of the annotation catalogue: what a learner is told about a key. */
export interface CatalogueEntry {
  /** The key events carry, e.g. "smtp.reply.354", "pop3.command.RETR", "smtp.enhanced.5.7.1". */
  readonly key: string;
  /** A short name for headings: "354 Start mail input", "RETR". */
  readonly title: string;
  /** A few words for one-line displays, e.g. "command pipelining" for the PIPELINING keyword. */
  readonly brief?: string;
  /** One or two sentences: what it means and what follows. */
  readonly summary: string;
  /** Where it is defined: "RFC 5321 §4.2.3". */
  readonly rfc: string;
  /** Command syntax, for commands. */
  readonly syntax?: string;
  /** States a command is valid in, for commands. */
  readonly states?: readonly string[];
  /** Set for things no current RFC defines (LAST). */
  readonly historic?: string;
}
