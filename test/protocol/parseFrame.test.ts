import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseFrame } from '../../src/protocol/parseFrame.js';

const TYPE = 'response.audio.delta';
/** 4,800 bytes of audio as base64: 6,400 characters, as in a 100 ms delta at 24 kHz (§4.17). */
const AUDIO = Buffer.from(Array.from({ length: 4800 }, (_, i) => (i * 37) & 0xff)).toString('base64');

/** A server audio delta as DashScope writes it (the simulator's field order). */
function audioFrame(delta = AUDIO, extra = ''): string {
  return `{"event_id":"event_lCUoOmIMirC02PWjmLuAu","type":"${TYPE}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0${extra},"delta":"${delta}"}`;
}

/** parseFrame must give exactly what JSON.parse gives, key order included, or throw as it does. */
function sameAsJsonParse(frame: string): void {
  let expected: unknown;
  let threw = false;
  try {
    expected = JSON.parse(frame);
  } catch {
    threw = true;
  }
  if (threw) {
    assert.throws(() => parseFrame(frame, TYPE, 'delta'), SyntaxError, `JSON.parse refuses ${JSON.stringify(frame.slice(0, 200))}`);
    return;
  }
  const actual = parseFrame(frame, TYPE, 'delta');
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), 'same keys in the same order');
}

test('parseFrame: an audio delta comes out as JSON.parse gives it, with the audio taken without the JSON parser', () => {
  const frame = audioFrame();
  sameAsJsonParse(frame);
  // The one difference, by choice: the audio string is not walked, so a raw control character in
  // it (which JSON.parse refuses) is not seen. That it is not seen shows the audio was sliced out.
  const tainted = audioFrame(`${AUDIO.slice(0, 100)}\u0001${AUDIO.slice(100)}`);
  assert.throws(() => JSON.parse(tainted), SyntaxError);
  const event = parseFrame(tainted, TYPE, 'delta') as { delta: string };
  assert.equal(event.delta.length, AUDIO.length + 1);
  // Other field names and event types go through JSON.parse as they are.
  assert.throws(() => parseFrame(tainted, 'response.text.delta', 'delta'), SyntaxError);
  assert.throws(() => parseFrame(tainted, TYPE, 'audio'), SyntaxError);
});

test('parseFrame: every frame it cannot prove safe goes to JSON.parse (same value, same errors)', () => {
  const long = AUDIO;
  const cases: Array<[string, string]> = [
    ['a backslash anywhere (an escaped slash in the audio)', audioFrame(long.replaceAll('/', '\\/'))],
    ['a backslash in another field', audioFrame(long, ',"note":"a\\"b"')],
    ['a nested "delta" before the top-level one', `{"type":"${TYPE}","x":{"delta":"${long}"},"delta":"AAAA"}`],
    ['only a nested "delta"', `{"type":"${TYPE}","x":{"delta":"${long}"}}`],
    ['a nested "delta" first, the top-level one with spaces after', `{"type":"${TYPE}","x":{"delta":"${long}"},"delta" : ""}`],
    ['the top-level one with spaces, a nested one after', `{"type":"${TYPE}","delta" : "","x":{"delta":"${long}"}}`],
    ['"delta" as a value first', `{"type":"${TYPE}","kind":"delta","delta":"${long}"}`],
    ['two top-level "delta" keys (the last wins)', `{"type":"${TYPE}","delta":"${long}","delta":"QUJD"}`],
    ['a number for delta', `{"type":"${TYPE}","pad":"${long}","delta":12}`],
    ['another type', `{"type":"response.text.delta","delta":"${long}"}`],
    ['type set twice (the last wins)', `{"type":"error","type":"${TYPE}","delta":"${long}"}`],
    ['type set twice, audio first', `{"type":"${TYPE}","type":"error","delta":"${long}"}`],
    ['an array around the event', `[{"type":"${TYPE}","delta":"${long}"}]`],
    ['__proto__ holding the type', `{"__proto__":{"type":"${TYPE}"},"delta":"${long}"}`],
    ['non-ASCII text elsewhere', audioFrame(long, ',"transcript":"你好，世界 😀"')],
    ['whitespace around the braces', ` \n${audioFrame()}\t `],
    ['an unterminated audio string', audioFrame().slice(0, -2)],
    ['no closing brace', audioFrame().slice(0, -1)],
    ['trailing garbage', `${audioFrame()}x`],
    ['two objects', `${audioFrame()}${audioFrame()}`],
    ['an odd quote before "delta" (delta outside a string)', `{"type":"${TYPE}","a":"x"delta":"${long}"}`],
    ['a control character elsewhere in the frame', audioFrame(long, ',"note":"a\u0002b"')],
    ['an empty audio string', audioFrame('')],
    ['a short frame', audioFrame('QUJD')],
  ];
  for (const [name, frame] of cases) {
    try {
      sameAsJsonParse(frame);
    } catch (error) {
      assert.fail(`${name}: ${(error as Error).message}`);
    }
  }
});

test('parseFrame: random edits of an audio frame parse exactly as JSON.parse parses them', () => {
  // Edits from the characters that decide how JSON is read; control characters are left out
  // (inside the audio they are the one difference, tested above).
  const pieces = ['"', '{', '}', '[', ']', ':', ',', ' ', '\\', '"delta"', '"delta":"', '"type"', `"${TYPE}"`, '1', 'null', 'A', '/'];
  const frame = audioFrame(AUDIO.slice(0, 1200));
  const edit = fc.record({ at: fc.nat({ max: frame.length }), cut: fc.nat({ max: 3 }), insert: fc.array(fc.constantFrom(...pieces), { maxLength: 4 }) });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
      let text = frame;
      for (const { at, cut, insert } of edits) {
        const i = Math.min(at, text.length);
        text = text.slice(0, i) + insert.join('') + text.slice(i + cut);
      }
      sameAsJsonParse(text);
    }),
    { numRuns: 3000, seed: 16 },
  );
});

test('parseFrame: random JSON values holding "delta" at any depth parse exactly as JSON.parse parses them', () => {
  const key = fc.constantFrom('delta', 'type', 'event_id', 'x', '__proto__');
  const leaf = fc.oneof(fc.constantFrom(TYPE, 'delta', AUDIO.slice(0, 1100), ''), fc.integer(), fc.constant(null), fc.boolean());
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }),
  }));
  // Built by hand, so that duplicate keys and their order survive into the text.
  const write = (v: unknown): string =>
    Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')
      ? `{${(v as Array<[string, unknown]>).map(([k, e]) => `"${k}":${write(e)}`).join(',')}}`
      : Array.isArray(v)
        ? `[${v.map(write).join(',')}]`
        : JSON.stringify(v);
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value), { maxLength: 6 }), (pairs) => {
      sameAsJsonParse(write(pairs));
      sameAsJsonParse(write([['type', TYPE], ...pairs, ['delta', AUDIO.slice(0, 1100)]]));
    }),
    { numRuns: 2000, seed: 16 },
  );
});
