/**
 * Bytes and text without Node's Buffer, for code the browser entry reaches
 * (trackers, models): UTF-8 lengths and base64 through the web platform's
 * TextEncoder/TextDecoder and atob, which Node has as well.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Octets of `text` written as UTF-8. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Decodes base64 to UTF-8 text (malformed sequences become U+FFFD), or
 * undefined when `text` is not base64 at all.
 */
export function decodeBase64Text(text: string): string | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}
