/**
 * Scrubbing of secrets and bulky payloads from text that may reach a log, an error message or
 * a `--json` line. Internal: may change without notice.
 */

/** `text` with every occurrence of each secret (of 4+ characters) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // The scan first: most texts (every server frame) contain no secret, and then nothing is copied.
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

const LONG_BASE64 = /"([A-Za-z0-9+/]{64,}={0,2})"/g;

/** JSON text with long base64 strings shortened to `"<base64 len=N>"` (as the official traces do). */
export function shortenBase64(json: string): string {
  return json.replace(LONG_BASE64, (_m, b64: string) => `"<base64 len=${b64.length}>"`);
}

/** A short, safe preview of a frame for an error message: payloads shortened, secrets removed. */
export function previewFrame(frame: string, secrets: readonly string[], max = 200): string {
  const text = redactSecrets(shortenBase64(frame), secrets);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
