/**
 * The one place secrets are scrubbed from what a peer sends back: error bodies, close reasons,
 * frames, log lines, accumulated transcripts. Used by the client, the session, the relay and
 * the CLI alike. Internal: may change without notice.
 *
 * A key may come back in three disguises, each handled here: JSON-escaped (`"\u0073k-…"`
 * parses to the key, so the raw text is matched through its JSON escapes), cut (a body or reason
 * cut before redacting keeps a part: always redact, then cut, and drop a tail that a read limit
 * may have split), and split over the deltas of one text stream (see {@link Redactor.appended}).
 */

/** What a redacted secret becomes. */
export const REDACTED = '***';
/** Secrets shorter than this are not scrubbed (`***` for every "a" would destroy all text). */
const MIN_SECRET = 4;
/** Base64 and JSON punctuation: frames of audio are made of these (and never of a backslash). */
const BASE64 = /^[A-Za-z0-9+/=]$/;

interface Secret {
  text: string;
  /** A character of the secret that base64 never holds (`-` of `sk-…`), else its first one. */
  anchor: string;
  anchorByte: number;
}

/**
 * Scrubs a set of secrets from text. Cheap when there is nothing to find: a frame is looked at
 * with `indexOf` of `\u` (an escape could hide any character of a secret) and of each secret's
 * first character that base64 never holds (`-` of `sk-`), so an audio delta (base64, §4.12) is
 * never searched for the key: two scans at memory speed, no copy (docs/benchmarks.md, 1b).
 */
/**
 * The part of Node's `Buffer` that {@link Redactor.mayHoldBytes} uses, named structurally so that
 * the declarations need no `@types/node` (this module ships to browsers and to consumers
 * without Node's types).
 */
export interface SearchableBytes {
  indexOf(value: string | number): number;
  includes(value: string): boolean;
}

export class Redactor {
  #secrets: Secret[] = [];
  /**
   * The escapes that could hide a character of a secret: `\u` always, plus `\/`, `\"` and the
   * like only for a secret holding that character. A server that writes every `/` of its base64
   * as `\/` (some JSON encoders do) then still costs nothing more for an `sk-` key.
   */
  #escapes: string[] = [];

  /** Replaces the secrets (e.g. the key resolved by this connect); short or empty ones are ignored. */
  set(secrets: readonly (string | undefined)[]): void {
    this.#secrets = secrets
      .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET)
      .map((text) => {
        const anchor = [...text].find((c) => !BASE64.test(c)) ?? text[0]!;
        return { text, anchor, anchorByte: anchor.charCodeAt(0) < 0x80 ? anchor.charCodeAt(0) : -1 };
      });
    const escapes = new Set(['\\u']);
    for (const { text } of this.#secrets) for (const [letter, char] of Object.entries(SHORT_ESCAPES)) if (text.includes(char)) escapes.add(`\\${letter}`);
    this.#escapes = [...escapes];
  }

  /** The secrets, for a transport that redacts its own error texts. */
  get secrets(): readonly string[] {
    return this.#secrets.map((s) => s.text);
  }

  /** True when `text` may hold a secret, raw or JSON-escaped (false is certain). */
  mayHold(text: string): boolean {
    if (this.#secrets.length === 0) return false;
    for (const escape of this.#escapes) if (text.indexOf(escape) !== -1) return true;
    for (const s of this.#secrets) if (text.indexOf(s.anchor) !== -1 && text.includes(s.text)) return true;
    return false;
  }

  /**
   * {@link mayHold} for UTF-8 bytes (the relay's frames, Node only), without decoding them. (This
   * module also runs in browsers: no `Buffer` is made here, a Buffer searches for a string's UTF-8.)
   */
  mayHoldBytes(bytes: SearchableBytes): boolean {
    if (this.#secrets.length === 0) return false;
    for (const escape of this.#escapes) if (bytes.indexOf(escape) !== -1) return true;
    for (const s of this.#secrets) if ((s.anchorByte < 0 || bytes.indexOf(s.anchorByte) !== -1) && bytes.includes(s.text)) return true;
    return false;
  }

  /** `text` with every secret, raw or JSON-escaped, replaced by `***`. */
  text(text: string): string {
    if (!this.mayHold(text)) return text;
    let out = text;
    for (const s of this.#secrets) if (out.includes(s.text)) out = out.split(s.text).join(REDACTED);
    return out.indexOf('\\') === -1 ? out : this.#escaped(out);
  }

  /**
   * `text` redacted, then cut to `max` characters (the order matters: a key across the cut would
   * otherwise keep the part before it). When the text itself was cut by a read limit
   * (`truncated`), its last characters could begin a secret whose rest was never read, which
   * nothing could recognise: they are dropped first.
   */
  cut(text: string, max: number, truncated = false): string {
    const whole = truncated ? text.slice(0, Math.max(0, text.length - this.#tailMargin())) : text;
    const clean = this.text(whole);
    return clean.length > max ? `${clean.slice(0, max)}…` : truncated ? `${clean}…` : clean;
  }

  /**
   * The text of a stream after `delta` was appended to it (`whole` ends with `delta`), with a
   * secret that the append completed replaced, even one split over several deltas. Only the end
   * of `whole` is searched, so each delta costs its own length plus the secret's.
   */
  appended(whole: string, deltaLength: number): string {
    if (this.#secrets.length === 0) return whole;
    const start = Math.max(0, whole.length - deltaLength - this.#tailMargin());
    return this.mayHold(whole.slice(start)) ? whole.slice(0, start) + this.text(whole.slice(start)) : whole;
  }

  /** An error safe to keep as a `cause`: name, code and redacted message only (no `rawPacket`, no headers). */
  safeCause(error: unknown): Error {
    const source = error instanceof Error ? error : new Error(String(error));
    const safe = new Error(this.text(source.message));
    safe.name = source.name;
    const code = (source as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') (safe as Error & { code?: unknown }).code = code;
    safe.stack = `${safe.name}: ${safe.message}`;
    return safe;
  }

  /** Characters a secret may take in text: every character JSON-escaped as `\uXXXX`. */
  #tailMargin(): number {
    let longest = 0;
    for (const s of this.#secrets) longest = Math.max(longest, s.text.length);
    return longest * 6;
  }

  /** Replaces secrets written with JSON escapes, matched on the decoded text, in the raw text. */
  #escaped(raw: string): string {
    // decoded[i] came from raw[at[i]] … raw[at[i + 1] - 1].
    let decoded = '';
    const at: number[] = [];
    for (let i = 0; i < raw.length; ) {
      at.push(i);
      if (raw[i] !== '\\' || i + 1 >= raw.length) {
        decoded += raw[i++];
        continue;
      }
      const next = raw[i + 1]!;
      const hex = next === 'u' ? raw.slice(i + 2, i + 6) : '';
      if (hex.length === 4 && /^[0-9a-fA-F]{4}$/.test(hex)) {
        decoded += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        decoded += SHORT_ESCAPES[next] ?? next;
        i += 2;
      }
    }
    at.push(raw.length);
    const spans: Array<[number, number]> = [];
    for (const s of this.#secrets) {
      for (let from = decoded.indexOf(s.text); from !== -1; from = decoded.indexOf(s.text, from + s.text.length)) {
        spans.push([at[from]!, at[from + s.text.length]!]);
      }
    }
    if (spans.length === 0) return raw;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let last = 0;
    for (const [start, end] of spans) {
      if (start < last) continue; // overlaps one already replaced
      out += raw.slice(last, start) + REDACTED;
      last = end;
    }
    return out + raw.slice(last);
  }
}

/** JSON's short escapes: the letter after the backslash, and the character it stands for. */
const SHORT_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', '/': '/' };

/** `text` with every occurrence of each secret (raw or JSON-escaped) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const redactor = new Redactor();
  redactor.set(secrets);
  return redactor.text(text);
}

/** Each owner's (a client's) redactor, so that a layer above it scrubs with the same secrets. */
const owners = new WeakMap<object, Redactor>();

/** The redactor of `owner`, made on first use. */
export function redactorOf(owner: object): Redactor {
  let redactor = owners.get(owner);
  if (!redactor) owners.set(owner, (redactor = new Redactor()));
  return redactor;
}

const LONG_BASE64 = /"([A-Za-z0-9+/]{64,}={0,2})"/g;

/** JSON text with long base64 strings shortened to `"<base64 len=N>"` (as the official traces do). */
export function shortenBase64(json: string): string {
  return json.replace(LONG_BASE64, (_m, b64: string) => `"<base64 len=${b64.length}>"`);
}

/** A short, safe preview of a frame for an error message: payloads shortened, secrets removed, then cut. */
export function previewFrame(frame: string, secrets: Redactor | readonly string[], max = 200): string {
  const redactor = secrets instanceof Redactor ? secrets : new Redactor();
  if (!(secrets instanceof Redactor)) redactor.set(secrets);
  return redactor.cut(shortenBase64(frame), max);
}
