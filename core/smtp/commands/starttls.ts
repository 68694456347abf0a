/** STARTTLS (RFC 3207): 220, then the TLS handshake; the session starts over after it. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import type { SmtpCommand } from '../context.js';
import { reply } from '../reply.js';

export const STARTTLS: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.STARTTLS,
  handle(context, args) {
    if (args.trim() !== '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax error (no parameters allowed)'));
      return;
    }
    if (!context.extended) {
      context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'STARTTLS is an ESMTP extension: say EHLO, not HELO (RFC 3207 section 4)'));
      return;
    }
    if (context.secure) {
      context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'TLS already active'));
      return;
    }
    if (!context.options.tlsAvailable) {
      context.send(reply(454, '4.7.0', 'TLS not available: this server has no certificate'));
      return;
    }
    context.send(reply(220, '2.0.0', context.text('starttls')));
    context.startTls();
  },
};
