/**
 * Engine options are built once (core/engine/engine-settings.ts, turned into
 * each protocol's options by core/pop3/options.ts and core/smtp/options.ts): the lab, the
 * sandbox and the lesson lab take their options from it and add only what
 * each connection decides, so a new option is switched on in one place.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POP3_OPTIONS, pop3BaseOptions } from '../../core/pop3/options.js';
import { DEFAULT_SMTP_OPTIONS, smtpBaseOptions } from '../../core/smtp/options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('engine options, built once', () => {
  it('keeps the defaults where a setting is not given, and takes it where it is', () => {
    const pop3 = pop3BaseOptions({ hostname: 'dewey', tlsAvailable: false });
    expect(pop3).toMatchObject({ serverName: 'dewey', tlsAvailable: false, maxBadCommands: DEFAULT_POP3_OPTIONS.maxBadCommands, loginDelaySeconds: 0 });
    expect(pop3BaseOptions({ hostname: 'dewey', tlsAvailable: true, loginDelaySeconds: 900 }).loginDelaySeconds).toBe(900);
    const smtp = smtpBaseOptions({ hostname: 'mx.example', tlsAvailable: true, maxMessageSize: 1000 }, 'submission');
    expect(smtp).toMatchObject({ listener: 'submission', tlsAvailable: true, maxMessageSize: 1000, maxRecipients: DEFAULT_SMTP_OPTIONS.maxRecipients });
    expect(smtp.persona.hostname).toBe('mx.example');
  });

  it('is the only place that spreads the protocols\' default options into a session\'s', () => {
    const files = walk(join(ROOT, 'core'));
    const spreading = files.filter((file) => /\.\.\.DEFAULT_(POP3|SMTP)_OPTIONS\b/.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));
    expect(spreading.sort()).toEqual(['core/pop3/options.ts', 'core/smtp/options.ts']);
    const users = files.filter((file) => /\b(pop3|smtp)BaseOptions\(/.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));
    expect(users).toEqual(expect.arrayContaining(['core/lab/lab-server.ts', 'core/sandbox/sandbox.ts', 'core/lessons/lesson-lab.ts']));
  });
});
