/**
 * The terminal classroom's screen: transcript and state panel side by side,
 * the explanation under them, then the status bar and the input line. Sizes
 * come from the terminal (reflowed on resize); the whole frame stays one row
 * short of the screen so Ink never clears it (no flicker).
 */
import { Box } from 'ink';
import { useCallback, useRef } from 'react';
import type { ClassroomController } from '../classroom-controller.js';
import { explainedRow, LineCache } from '../helpers/transcript-lines.js';
import type { Theme } from '../helpers/theme.js';
import { useController } from '../hooks/use-controller.js';
import { useRawInput } from '../hooks/use-raw-input.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { ExplanationPane } from './ExplanationPane.js';
import { InputLine } from './InputLine.js';
import { StatePanel } from './StatePanel.js';
import { keyHints, StatusBar } from './StatusBar.js';
import { TranscriptPane } from './TranscriptPane.js';
import { Welcome } from './Welcome.js';

export interface AppProps {
  controller: ClassroomController;
  theme: Theme;
  logins: readonly { user: string; password: string }[];
}

const EXPLANATION_HEIGHT = 6;
const WELCOME_HEIGHT = 8;

/** Columns of the state panel for a terminal this wide (none when too narrow). */
export function sidePanelWidth(columns: number): number {
  return columns >= 110 ? 32 : columns >= 70 ? 24 : 0;
}

export function App({ controller, theme, logins }: AppProps) {
  useController(controller);
  const { columns, rows } = useTerminalSize();
  const cache = useRef(new LineCache()).current;
  useRawInput(useCallback((chunk: string) => controller.feed(chunk), [controller]));

  const session = controller.session;
  const view = controller.console.view();
  const side = sidePanelWidth(columns);
  const height = Math.max(10, rows - 1);
  // The first-run welcome takes the explanation's place (and two more rows) until the first line is sent.
  const welcome = controller.welcome && height >= 20;
  const mainHeight = Math.max(3, height - (welcome ? WELCOME_HEIGHT : EXPLANATION_HEIGHT) - 4);
  const transcriptHeight = mainHeight;
  const transcriptRows = controller.model.rows;
  const explained = explainedRow(transcriptRows, controller.selected);
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Box flexDirection="row" height={mainHeight}>
        <Box flexDirection="column" width={columns - side}>
          <TranscriptPane
            rows={transcriptRows}
            first={controller.clearedBefore}
            selected={controller.selected}
            toggled={controller.toggled}
            local={controller.localRows}
            dataLines={controller.dataLines}
            height={transcriptHeight}
            width={columns - side}
            theme={theme}
            cache={cache}
          />
        </Box>
        {side > 0 && session ? (
          <StatePanel
            protocol={session.protocol}
            state={session.state}
            lastTransition={controller.lastTransition}
            validCommands={controller.console.validCommands().map((command) => command.name)}
            width={side}
            height={mainHeight}
            theme={theme}
          />
        ) : null}
      </Box>
      {welcome ? (
        <Box height={WELCOME_HEIGHT} overflow="hidden">
          <Welcome logins={logins} width={columns} theme={theme} />
        </Box>
      ) : (
        <ExplanationPane row={explained} selected={controller.selected !== undefined} width={columns} height={EXPLANATION_HEIGHT} theme={theme} />
      )}
      <StatusBar status={session?.status} watch={controller.watch} hints={keyHints(controller.keyMode)} width={columns} theme={theme} />
      <InputLine view={view} flash={controller.flash} busy={controller.busy} width={columns} theme={theme} />
    </Box>
  );
}
