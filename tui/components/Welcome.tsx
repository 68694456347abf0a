/** The first-run welcome: what this is, the demo logins, three things to try. */
import { Box } from 'ink';
import type { PanelLine } from '../helpers/panel-lines.js';
import type { Theme } from '../helpers/theme.js';
import { tuiText } from '../messages.js';
import { PanelText } from './PanelText.js';

export interface WelcomeProps {
  logins: readonly { user: string; password: string }[];
  width: number;
  theme: Theme;
}

export function welcomeLines(logins: WelcomeProps['logins']): PanelLine[] {
  return [
    { text: tuiText('welcome.heading'), style: 'accent' },
    { text: tuiText('welcome.logins', { logins: logins.map((login) => `${login.user}/${login.password}`).join('  ') }) },
    { text: tuiText('welcome.try1') },
    { text: tuiText('welcome.try2') },
    { text: tuiText('welcome.try3') },
    { text: tuiText('welcome.footer'), style: 'muted' },
  ];
}

export function Welcome({ logins, width, theme }: WelcomeProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.of('accent')} width={width} paddingX={1}>
      <PanelText lines={welcomeLines(logins)} theme={theme} />
    </Box>
  );
}
