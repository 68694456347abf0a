/**
 * The words of the protocol tables — what each command does, what each state
 * means, why each transition happens — read from the message files in
 * messages/en/, so they can be translated without touching code. The tables
 * keep what is not prose (syntax, states, RFC sections) next to the handlers.
 */
import commands from './messages/en/commands.json' with { type: 'json' };
import states from './messages/en/states.json' with { type: 'json' };

type Protocol = 'pop3' | 'smtp';

function missing(what: string): never {
  throw new Error(`message file has no entry for ${what}`);
}

/** What a command does, one line. */
export function commandSummary(protocol: Protocol, name: string): string {
  const entry = (commands[protocol] as Record<string, { summary: string } | undefined>)[name];
  return entry?.summary ?? missing(`${protocol} command ${name}`);
}

/** Why a command no current RFC defines is still here (LAST). */
export function commandHistoric(protocol: Protocol, name: string): string {
  const entry = (commands[protocol] as Record<string, { historic?: string } | undefined>)[name];
  return entry?.historic ?? missing(`${protocol} command ${name} (historic note)`);
}

/** What a state means. */
export function stateSummary(protocol: Protocol, state: string): string {
  return (states[protocol].states as Record<string, string | undefined>)[state] ?? missing(`${protocol} state ${state}`);
}

/** The cause a transition event gives. */
export function transitionCause(protocol: Protocol, cause: string): string {
  return (states[protocol].transitions as Record<string, string | undefined>)[cause] ?? missing(`${protocol} transition ${cause}`);
}
