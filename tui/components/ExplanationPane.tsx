/** The catalogue entry of the selected (or latest explained) line: what the command, reply, code or keyword means, and where the RFC says so. */
import { Box } from 'ink';
import { describeKey, type TranscriptRow } from '../../core/browser.js';
import { fit, wrapped, type PanelLine } from '../helpers/panel-lines.js';
import type { Theme } from '../helpers/theme.js';
import { tuiText } from '../messages.js';
import { PanelText } from './PanelText.js';

export interface ExplanationPaneProps {
  row: TranscriptRow | undefined;
  selected: boolean;
  width: number;
  height: number;
  theme: Theme;
}

export function explanationLines({ row, selected, width, height }: Omit<ExplanationPaneProps, 'theme'>): PanelLine[] {
  const inner = width - 4;
  const head = row?.kind === 'line' ? `: ${row.text}` : '';
  const lines: PanelLine[] = [{ text: `${tuiText(selected ? 'explanation.selected' : 'explanation.latest')}${head}`, style: 'muted' }];
  for (const note of row?.notes ?? []) {
    if (note.event.kind === 'transition') continue;
    const entry = describeKey(note.event.key);
    lines.push({ text: `${entry?.title ?? note.event.key} (${note.event.rfc})`, style: 'accent' });
    lines.push(...wrapped(note.event.detail ?? entry?.summary ?? '', inner));
  }
  if (lines.length === 1) lines.push(...wrapped(tuiText('explanation.empty'), inner, 'muted'));
  return fit(lines, height - 2);
}

export function ExplanationPane(props: ExplanationPaneProps) {
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.theme.of('muted')} width={props.width} height={props.height} paddingX={1}>
      <PanelText lines={explanationLines(props)} theme={props.theme} />
    </Box>
  );
}
