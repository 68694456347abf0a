/** The TUI's flash line (a failed /connect quoting a server's reply to STLS) reaches the terminal escaped (issue 19, item 7). */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ConsoleModel } from '../../core/browser.js';
import { InputLine } from '../../tui/components/InputLine.js';
import { createTheme } from '../../tui/helpers/theme.js';

describe('InputLine flash', () => {
  it('shows a hostile server line with its controls as visible escapes', () => {
    const view = new ConsoleModel({ protocol: 'pop3' }).view();
    const flash = 'the server refused STLS: -ERR \x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07';
    const { lastFrame, unmount } = render(<InputLine view={view} flash={flash} busy={false} width={200} theme={createTheme({ NO_COLOR: '1' })} />);
    const frame = lastFrame() ?? '';
    unmount();
    expect(frame).toContain('-ERR \\x1b[2J\\x1b]8;;https://evil.example/\\x07click');
    expect(frame).not.toContain('\x1b[2J');
    expect(frame).not.toContain('\x1b]8;;');
    expect(frame).not.toContain('\x07');
  });
});
