/** One line: target, lesson progress (and watch speed), protocol, TLS or not, user, message count or envelope; then the key hints of the mode. */
import { Box, Text } from 'ink';
import type { ClassroomStatus } from '../../core/classroom/classroom-session.js';
import type { Theme } from '../helpers/theme.js';
import { tuiCount, tuiText } from '../messages.js';

/** A lesson played by the clock: paused or not, and the time between steps. */
export interface WatchState {
  paused: boolean;
  delayMs: number;
}

export function statusText(status: ClassroomStatus | undefined, watch?: WatchState): string {
  if (!status) return tuiText('status.notConnected');
  const parts = [status.target];
  // A lesson's progress (and the watch speed) come first: on a narrow terminal the end of the bar is cut.
  if (status.lesson) parts.push(tuiText('status.step', { step: status.lesson.step, of: status.lesson.of }));
  if (watch) parts.push(watch.paused ? tuiText('watch.paused') : tuiText('watch.speed', { seconds: Number((watch.delayMs / 1000).toFixed(2)) }));
  parts.push(status.protocol.toUpperCase(), tuiText(status.tls ? (status.tlsUnverified ? 'status.tlsUnverified' : 'status.tls') : 'status.noTls'));
  if (status.closed) parts.push(tuiText('status.closed'));
  if (status.user) parts.push(tuiText('status.user', { user: status.user }));
  if (status.messages !== undefined) parts.push(tuiCount('status.messages', status.messages));
  if (status.envelope) {
    const to = status.envelope.to.map((recipient) => `<${recipient}>`).join(' ') || tuiText('status.noRecipients');
    parts.push(tuiText('status.envelope', { from: status.envelope.from ?? '', to }));
  }
  return parts.join(' │ ');
}

/** The key hints for what the keys do now: typing, stepping through a lesson, or watching one. */
export function keyHints(mode: 'console' | 'step' | 'watch'): string {
  return tuiText(`keys.${mode}`);
}

export interface StatusBarProps {
  status: ClassroomStatus | undefined;
  watch?: WatchState | undefined;
  hints: string;
  width: number;
  theme: Theme;
}

export function StatusBar({ status, watch, hints, width, theme }: StatusBarProps) {
  return (
    <Box width={width} flexDirection="column">
      <Text inverse wrap="truncate-end">{` ${statusText(status, watch)} `.padEnd(width)}</Text>
      <Text color={theme.of('muted')} wrap="truncate-end">{hints}</Text>
    </Box>
  );
}
