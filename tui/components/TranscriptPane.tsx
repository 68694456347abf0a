/** The transcript: wire lines with direction markers and colours, their notes, folded bodies, TLS dividers; a window of what fits. */
import { Box, Text } from 'ink';
import type { TranscriptRow } from '../../core/browser.js';
import type { DisplayLine, LineCache } from '../helpers/transcript-lines.js';
import { isUnfolded, windowLines } from '../helpers/transcript-lines.js';
import type { Theme } from '../helpers/theme.js';

export interface TranscriptPaneProps {
  rows: readonly TranscriptRow[];
  /** Rows before this one were cleared from the screen (/clear). */
  first: number;
  selected: number | undefined;
  /** Body rows the learner folded or unfolded (Ctrl-O). */
  toggled: ReadonlySet<number>;
  local: ReadonlySet<number>;
  /** Message lines typed in DATA mode, not yet taken by the server. */
  dataLines: readonly string[];
  height: number;
  width: number;
  theme: Theme;
  cache: LineCache;
}

export function TranscriptPane(props: TranscriptPaneProps) {
  const { theme } = props;
  const inner = Math.max(1, props.height - 2);
  const pending = props.dataLines.slice(-Math.max(0, inner - 1));
  const lines = windowLines(props.rows, inner - pending.length, props.selected, (row) => props.cache.lines(row, { unfolded: isUnfolded(row, props.toggled), local: props.local.has(row.id), width: props.width - 2 }), props.first);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={theme.of('muted')} width={props.width} height={props.height} overflow="hidden">
      {lines.map((line, index) => (
        <Line key={index} line={line} selected={line.rowId === props.selected} theme={theme} />
      ))}
      {pending.map((text, index) => (
        <Text key={`data-${index}`} color={theme.of('data')} wrap="truncate-end">
          {`→ C: ${text}`}
        </Text>
      ))}
    </Box>
  );
}

function Line({ line, selected, theme }: { line: DisplayLine; selected: boolean; theme: Theme }) {
  const dim = line.style === 'brief' || line.style === 'note';
  return (
    <Text color={theme.of(line.style)} dimColor={dim && !theme.color} inverse={selected} bold={line.style === 'warning' || line.style === 'transition'} wrap="truncate-end">
      {line.text === '' ? ' ' : line.text}
    </Text>
  );
}
