/** The first-run welcome: what this is, the demo logins, three things to try. */
import { Box } from 'ink';
import type { PanelLine } from '../helpers/panel-lines.js';
import type { Theme } from '../helpers/theme.js';
import { PanelText } from './PanelText.js';

export interface WelcomeProps {
  logins: readonly { user: string; password: string }[];
  width: number;
  theme: Theme;
}

export function welcomeLines(logins: WelcomeProps['logins']): PanelLine[] {
  return [
    { text: 'Welcome to maillab: type POP3 and SMTP by hand, every line explained.', style: 'accent' },
    { text: `Demo logins: ${logins.map((login) => `${login.user}/${login.password}`).join('  ')}` },
    { text: 'Try: 1. USER alice, PASS wonderland, STAT, RETR 1, QUIT' },
    { text: '     2. /connect smtp, then send bob a message: EHLO, MAIL, RCPT, DATA' },
    { text: '     3. /lesson rfc1939-s10 (Enter plays each step), /explain 354' },
    { text: 'Tab completes; /help lists meta-commands. Gone once you send a line.', style: 'muted' },
  ];
}

export function Welcome({ logins, width, theme }: WelcomeProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.of('accent')} width={width} paddingX={1}>
      <PanelText lines={welcomeLines(logins)} theme={theme} />
    </Box>
  );
}
