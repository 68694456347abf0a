/** The catalogue entry of the selected (or latest explained) line: what the command, reply, code or keyword means, and where the RFC says so. */
import { Box, Text } from 'ink';
import { describeKey, type TranscriptRow } from '../../core/browser.js';
import type { Theme } from '../helpers/theme.js';

export interface ExplanationPaneProps {
  row: TranscriptRow | undefined;
  selected: boolean;
  width: number;
  height: number;
  theme: Theme;
}

export function ExplanationPane({ row, selected, width, height, theme }: ExplanationPaneProps) {
  const notes = row?.notes ?? [];
  const entries = notes.flatMap((note) => {
    if (note.event.kind === 'transition') return [];
    const entry = describeKey(note.event.key);
    return [{ key: note.event.key, title: entry?.title ?? note.event.key, rfc: note.event.rfc, text: note.event.detail ?? entry?.summary ?? '' }];
  });
  const head = row?.kind === 'line' ? row.text : undefined;
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={theme.of('muted')} width={width} height={height} overflow="hidden" paddingX={1}>
      <Text color={theme.of('muted')} wrap="truncate-end">
        {`explanation${selected ? ' (selected line)' : ' (latest line)'}${head ? `: ${head}` : ''}`}
      </Text>
      {entries.length === 0 ? <Text color={theme.of('muted')}>Shift-↑/↓ or PgUp/PgDn select a line; Esc goes back to the latest.</Text> : null}
      {entries.slice(0, 2).map((entry) => (
        <Text key={entry.key} wrap="wrap">
          <Text bold color={theme.of('accent')}>{entry.title}</Text>
          {` (${entry.rfc}): ${entry.text}`}
        </Text>
      ))}
    </Box>
  );
}
