/** The input line the console model describes: prompt, text (a secret never shown), cursor, hint, completions; DATA mode set apart. */
import { Box, Text } from 'ink';
import { escapeControls, type ConsoleView } from '../../core/browser.js';
import type { Theme } from '../helpers/theme.js';
import { tuiText } from '../messages.js';

export interface InputLineProps {
  view: ConsoleView;
  flash: string | undefined;
  busy: boolean;
  width: number;
  theme: Theme;
}

export function InputLine({ view, flash, busy, width, theme }: InputLineProps) {
  const data = view.mode === 'data';
  const before = view.text.slice(0, view.cursor);
  const at = view.text.slice(view.cursor, view.cursor + 1) || ' ';
  const after = view.text.slice(view.cursor + 1);
  // A flash can quote a server (a failed /connect with its reply to STLS): escaped like every peer text on a screen.
  const hint = escapeControls(flash ?? (view.completions ? view.completions.join('  ') : view.hint) ?? '');
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-start">
        <Text color={data ? theme.of('data') : theme.of('accent')} bold inverse={data}>
          {data ? `${tuiText('input.data')} ${view.prompt}` : view.prompt}
        </Text>
        <Text>{before}</Text>
        <Text inverse>{at}</Text>
        <Text>{after}</Text>
        {view.secret ? <Text color={theme.of('muted')}>{`  ${tuiText('input.hidden')}`}</Text> : null}
        {busy ? <Text color={theme.of('muted')}>{'  …'}</Text> : null}
      </Text>
      <Text color={flash ? theme.of('warning') : theme.of('muted')} wrap="truncate-end">
        {hint === '' ? ' ' : hint}
      </Text>
    </Box>
  );
}
