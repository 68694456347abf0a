/** The first-run welcome: what this is, the demo logins, three things to try. */
import { Box, Text } from 'ink';
import type { Theme } from '../helpers/theme.js';

export interface WelcomeProps {
  logins: readonly { user: string; password: string }[];
  width: number;
  theme: Theme;
}

export function Welcome({ logins, width, theme }: WelcomeProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.of('accent')} width={width} paddingX={1}>
      <Text bold color={theme.of('accent')}>Welcome to maillab: type POP3 and SMTP by hand, every line explained.</Text>
      <Text>{`Demo logins (sandbox, no network): ${logins.map((login) => `${login.user} / ${login.password}`).join(', ')}`}</Text>
      <Text>Three things to try:</Text>
      <Text>{'  1. USER alice, PASS wonderland, STAT, RETR 1, QUIT'}</Text>
      <Text>{'  2. /connect smtp, then EHLO me, MAIL FROM:<alice@maillab.test>, RCPT TO:<bob@maillab.test>, DATA'}</Text>
      <Text>{'  3. /lesson rfc1939-s10 (Enter plays each step), /explain 354'}</Text>
      <Text color={theme.of('muted')}>Tab completes, /help lists the meta-commands; this box goes away when you type a line.</Text>
    </Box>
  );
}
