/**
 * `JSON.parse` for a frame that carries audio, without the JSON parser walking the audio.
 *
 * Audio travels as one long base64 string field (`delta` of `response.audio.delta`, §4.17;
 * `audio` of `input_audio_buffer.append`, §3.2): 6,400 of a reply frame's ~6,550 characters.
 * `JSON.parse` checks every one of those characters for quotes, escapes and control characters,
 * and copies them; that is most of the receive path's CPU (docs/benchmarks.md, 1b). Here the
 * string is found with two `indexOf`s (memory speed) and sliced out of the frame (no copy), and
 * only the rest of the frame (~150 characters) goes through `JSON.parse`. The client parses every
 * server frame with it (`response.audio.delta`); the simulator and the relay, which must refuse
 * what the service refuses, keep `JSON.parse` for the frames they receive.
 *
 * It gives what `JSON.parse(frame)` gives, or falls back to it, whenever it cannot prove that:
 * - the frame holds no backslash (so every `"` delimits a string, and nothing is escaped);
 * - the field's name occurs exactly once in the frame, as `"name":"` (so it is a key with a
 *   string value, and no other key of that name exists at any depth);
 * - the frame with that value emptied parses, and its top level has `type` === `type` and the
 *   field (the one occurrence, so the right one).
 *
 * Emptying a string that holds no quote and no backslash changes no other token, so the
 * emptied frame parses exactly when the frame does, to the same value but for that string.
 * One difference remains, by choice: control characters (U+0000–U+001F) inside the audio string,
 * which `JSON.parse` refuses and no JSON encoder writes, are not looked for; the audio kit's
 * decoders (`decodeBase64`, `pcm16FromBase64`) refuse them as bad base64.
 */

/** Frames shorter than this go to `JSON.parse` directly: the shortcut pays off on long strings. */
const MIN_LENGTH = 1024;

/**
 * Parses `frame` as `JSON.parse` does. When the frame is an event of `type` whose string field
 * `field` can be taken out safely (see the module comment), that field's value is a slice of
 * `frame` and the parser never reads it. Throws what `JSON.parse` throws.
 */
export function parseFrame(frame: string, type: string, field: string): unknown {
  if (frame.length >= MIN_LENGTH && frame.indexOf('\\') === -1) {
    const quoted = `"${field}"`;
    const at = frame.indexOf(quoted);
    const start = at + quoted.length + 2;
    if (at !== -1 && frame.charCodeAt(start - 2) === COLON && frame.charCodeAt(start - 1) === QUOTE) {
      const end = frame.indexOf('"', start);
      if (end !== -1 && frame.indexOf(quoted, end) === -1) {
        const event = parseEmptied(frame, start, end);
        if (event !== undefined && event.type === type && event[field] === '') {
          event[field] = frame.slice(start, end);
          return event;
        }
      }
    }
  }
  return JSON.parse(frame);
}

const COLON = 0x3a;
const QUOTE = 0x22;

/** The top-level object of `frame` with the string between `start` and `end` emptied; undefined when it is not one. */
function parseEmptied(frame: string, start: number, end: number): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(frame.slice(0, start) + frame.slice(end));
  } catch {
    return undefined; // the frame is not JSON either: JSON.parse(frame) says so, with its own message
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
