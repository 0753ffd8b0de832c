/**
 * The one redaction module (src/internal/redact.ts): a key in every JSON-escaped form, redacted
 * before cutting, across the deltas of a stream; and the cheap answer for frames that cannot
 * hold it (audio deltas, base64 written with `\/`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../src/internal/redact.js';

const KEY = 'sk-0123456789abcdefghij';
const redactor = new Redactor();
redactor.set([KEY]);

/** `text` with the characters at `indices` written as JSON `\uXXXX` escapes. */
function escapeAt(text: string, indices: number[]): string {
  return [...text].map((c, i) => (indices.includes(i) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

test('a key is found raw and in every JSON-escaped form; a literal backslash-u is not a key', () => {
  const forms = [KEY, escapeAt(KEY, [0]), escapeAt(KEY, [2]), escapeAt(KEY, [KEY.length - 1]), escapeAt(KEY, [...KEY].map((_, i) => i)), `\\u0073\\u006B${KEY.slice(2)}` /* upper-case hex */];
  for (const form of forms) {
    const frame = `{"type":"error","error":{"message":"bad key ${form}, really"}}`;
    const clean = redactor.text(frame);
    assert.equal((JSON.parse(clean) as { error: { message: string } }).error.message, 'bad key ***, really', form);
  }
  const literal = JSON.stringify({ text: `\\u0073${KEY.slice(1)}` }); // the string holds a backslash, not the key
  assert.equal(redactor.text(literal), literal);
});

test('frames that cannot hold the key are answered without a search: base64 audio, with or without \\/ escapes', () => {
  const b64 = Buffer.alloc(4800, 7).toString('base64');
  for (const frame of [JSON.stringify({ type: 'response.audio.delta', delta: b64 }), JSON.stringify({ type: 'response.audio.delta', delta: b64 }).replaceAll('/', '\\/')]) {
    assert.equal(redactor.mayHold(frame), false);
    assert.equal(redactor.mayHoldBytes(Buffer.from(frame)), false);
    assert.equal(redactor.text(frame), frame, 'returned as it is');
  }
});

test('redacted before cutting; a text cut by a read limit drops what could begin a key', () => {
  const body = `${'x'.repeat(90)}${KEY} tail`;
  assert.equal(redactor.cut(body, 100), `${'x'.repeat(90)}*** tail`);
  assert.equal(redactor.cut(`${'x'.repeat(200)}${KEY.slice(0, 10)}`, 1000, true), `${'x'.repeat(200 + 10 - KEY.length * 6)}…`);
});

test('a key split over the deltas of one stream is caught where they join', () => {
  let text = '';
  for (const delta of ['Your key: ', KEY.slice(0, 5), KEY.slice(5, 12), KEY.slice(12), ' ok']) text = redactor.appended(text + delta, delta.length);
  assert.equal(text, 'Your key: *** ok');
});

test('no secret, or one shorter than 4 characters, changes nothing', () => {
  const none = new Redactor();
  none.set([undefined, '', 'abc']);
  assert.equal(none.text('abc \\u0061bc'), 'abc \\u0061bc');
  assert.equal(none.mayHold('\\u0061'), false);
});
