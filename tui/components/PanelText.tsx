/** Panel lines as one Text per row, coloured by style. */
import { Text } from 'ink';
import type { PanelLine } from '../helpers/panel-lines.js';
import type { Theme } from '../helpers/theme.js';

export function PanelText({ lines, theme }: { lines: readonly PanelLine[]; theme: Theme }) {
  return (
    <>
      {lines.map((line, index) => (
        <Text
          key={index}
          wrap="truncate-end"
          bold={line.style === 'heading' || line.style === 'current' || line.style === 'accent'}
          inverse={line.style === 'current'}
          color={line.style === 'muted' ? theme.of('muted') : line.style === 'transition' ? theme.of('transition') : line.style === 'current' || line.style === 'accent' ? theme.of('accent') : undefined}
        >
          {line.text === '' ? ' ' : line.text}
        </Text>
      ))}
    </>
  );
}
