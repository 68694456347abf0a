/** The protocol's states from the protocol data, the current one highlighted, the last transition with its cause and RFC, the commands valid now. */
import { Box } from 'ink';
import { protocolData, type Protocol, type TransitionEvent } from '../../core/browser.js';
import { fit, wrapped, type PanelLine } from '../helpers/panel-lines.js';
import type { Theme } from '../helpers/theme.js';
import { tuiText } from '../messages.js';
import { PanelText } from './PanelText.js';

export interface StatePanelProps {
  protocol: Protocol;
  state: string;
  lastTransition: TransitionEvent | undefined;
  validCommands: readonly string[];
  width: number;
  height: number;
  theme: Theme;
}

/** The panel's lines, most important first (states, then the transition, then the commands), cut to fit. */
export function statePanelLines({ protocol, state, lastTransition, validCommands, width, height }: Omit<StatePanelProps, 'theme'>): PanelLine[] {
  const inner = width - 4;
  const lines: PanelLine[] = [{ text: tuiText('states.heading', { protocol: protocol.toUpperCase() }), style: 'heading' }];
  for (const name of protocolData(protocol).states) lines.push(name === state ? { text: `▶ ${name}`, style: 'current' } : { text: `  ${name}` });
  if (lastTransition) {
    const arrow = `${lastTransition.from} → ${lastTransition.to}`;
    lines.push({ text: '' }, ...(arrow.length <= inner ? [{ text: arrow, style: 'transition' as const }] : [{ text: `${lastTransition.from} →`, style: 'transition' as const }, { text: `  ${lastTransition.to}`, style: 'transition' as const }]));
    lines.push(...wrapped(`${lastTransition.cause} (${lastTransition.rfc})`, inner).slice(0, 3));
  }
  if (validCommands.length > 0) lines.push({ text: '' }, { text: tuiText('states.validNow'), style: 'muted' }, ...wrapped(validCommands.join(' '), inner));
  return fit(lines, height - 2);
}

export function StatePanel(props: StatePanelProps) {
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.theme.of('muted')} width={props.width} height={props.height} paddingX={1}>
      <PanelText lines={statePanelLines(props)} theme={props.theme} />
    </Box>
  );
}
