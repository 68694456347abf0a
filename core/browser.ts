/**
 * What a web page may import from the core: the event contract, the
 * catalogue's lookup and wording, the protocol data, the transcript and
 * console models, the client trackers, masking, and the text rendering of
 * transcript rows. Nothing reachable from this file imports a Node built-in
 * or uses Node's Buffer; test/unit/browser-entry.test.ts fails if that
 * changes. Node-only code (engines, store, sockets, the sandbox) is reached
 * by its own path from Node-side code.
 */
export * from './events.js';
export { ERROR_CODES, type ErrorCode } from './errors.js';
export { escapeControls, escapeLines } from './escape-text.js';
export { MASK, clientLineEvent, maskClientLine, secretStart, type LineRole } from './masking.js';

export { describeKey } from './annotations/describe.js';
export { explain, type ExplainResult } from './annotations/explain.js';
export type { CatalogueEntry } from './annotations/entry.js';

export { protocolData, commandOfLine, mustWaitAfter, pop3ReplyHasBody } from './protocols/index.js';
export { commandSpec, commandsIn, nextState, type CommandSpec, type ProtocolData, type TransitionSpec } from './protocols/protocol-data.js';
export { POP3, POP3_STATES, POP3_COMMAND_SPECS, POP3_TRANSITIONS, type Pop3State, type Pop3TransitionCause } from './protocols/pop3.js';
export { SMTP, SMTP_STATES, SMTP_COMMAND_SPECS, SMTP_TRANSITIONS, type SmtpState, type SmtpTransitionCause } from './protocols/smtp.js';
export { SMTP_EXTENSIONS, type SmtpExtensionSpec } from './protocols/smtp-extensions.js';
export { POP3_CAPABILITIES, type Pop3CapabilitySpec } from './protocols/pop3-capabilities.js';

export * from './models/transcript.js';
export * from './models/console.js';
export { decodeTerminalKeys } from './models/terminal-keys.js';
export { META_COMMANDS, META_HELP, findMetaCommand, isMetaCommand, type MetaCommandInfo } from './client/meta-command-list.js';
export { ALL_CLASSROOM_META_COMMANDS, CLASSROOM_META_COMMANDS } from './classroom/classroom-commands.js';

export type { ClientTracker, ClientInputMode } from './client/tracker.js';
export { Pop3Tracker } from './client/pop3-tracker.js';
export { SmtpTracker } from './client/smtp-tracker.js';

export { renderBody, renderBodySummary, renderNote, renderRow, renderRowHead, renderRows, type RowTextOptions } from './render/transcript.js';
