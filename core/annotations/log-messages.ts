/**
 * The words `maillab annotate` says about the logs it reads: what a tool's own
 * lines mean (curl's "[N bytes data]", swaks' "=== TLS started"), from
 * messages/en/log-reading.json, so they can be translated without touching code.
 */
import messages from './messages/en/log-reading.json' with { type: 'json' };

export type LogReadingKey = keyof typeof messages;

/** `{name}` in a message replaced by `values.name`; a placeholder without a value is our bug. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`message "${template}" needs a value for {${name}}`);
    return String(value);
  });
}

/** One message of log-reading.json with its placeholders filled. */
export function logReadingText(key: LogReadingKey, values: Readonly<Record<string, string | number>> = {}): string {
  return fillTemplate(messages[key], values);
}
