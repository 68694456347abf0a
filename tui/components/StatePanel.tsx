/** The protocol's states from the protocol data, the current one highlighted, the last transition with its cause and RFC, the commands valid now. */
import { Box, Text } from 'ink';
import { protocolData, type Protocol, type TransitionEvent } from '../../core/browser.js';
import type { Theme } from '../helpers/theme.js';

export interface StatePanelProps {
  protocol: Protocol;
  state: string;
  lastTransition: TransitionEvent | undefined;
  validCommands: readonly string[];
  width: number;
  height: number;
  theme: Theme;
}

export function StatePanel({ protocol, state, lastTransition, validCommands, width, height, theme }: StatePanelProps) {
  const data = protocolData(protocol);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={theme.of('muted')} width={width} height={height} overflow="hidden" paddingX={1}>
      <Text bold>{protocol.toUpperCase()} states</Text>
      {data.states.map((name) => {
        const current = name === state;
        return (
          <Text key={name} inverse={current} bold={current} color={current ? theme.of('accent') : undefined} wrap="truncate-end">
            {`${current ? '▶' : ' '} ${name}`}
          </Text>
        );
      })}
      {lastTransition ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={theme.of('transition')} wrap="truncate-end">{`${lastTransition.from} → ${lastTransition.to}`}</Text>
          <Text wrap="wrap">{`${lastTransition.cause} (${lastTransition.rfc})`}</Text>
        </Box>
      ) : null}
      {validCommands.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={theme.of('muted')}>valid now:</Text>
          <Text wrap="wrap">{validCommands.join(' ')}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
