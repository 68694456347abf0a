/** One line: target, protocol, TLS or not, user, message count or envelope, lesson progress, key hints. */
import { Box, Text } from 'ink';
import type { ClassroomStatus } from '../../core/classroom/classroom-session.js';
import type { Theme } from '../helpers/theme.js';

export function statusText(status: ClassroomStatus | undefined): string {
  if (!status) return 'not connected';
  const parts = [status.target, status.protocol.toUpperCase(), status.tls ? 'TLS' : 'no TLS'];
  if (status.user) parts.push(`user ${status.user}`);
  if (status.messages !== undefined) parts.push(`${status.messages} message${status.messages === 1 ? '' : 's'}`);
  if (status.envelope) parts.push(`from <${status.envelope.from ?? ''}> to ${status.envelope.to.map((to) => `<${to}>`).join(' ') || '(none yet)'}`);
  if (status.lesson) parts.push(`step ${status.lesson.step}/${status.lesson.of}`);
  return parts.join(' │ ');
}

export const KEY_HINTS = 'Tab complete · ↑↓ history · Shift-↑↓ select · ^O unfold · /help · ^C^C quit';

export function StatusBar({ status, width, theme }: { status: ClassroomStatus | undefined; width: number; theme: Theme }) {
  return (
    <Box width={width} flexDirection="column">
      <Text inverse wrap="truncate-end">{` ${statusText(status)} `.padEnd(width)}</Text>
      <Text color={theme.of('muted')} wrap="truncate-end">{KEY_HINTS}</Text>
    </Box>
  );
}
