import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBase64, decodeBase64Portable, encodeBase64, encodeBase64Portable } from '../../src/audio/base64.js';
import { ValidationError } from '../../src/errors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('RFC 4648 test vectors, both codecs', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
  for (const [plain, b64] of vectors) {
    assert.equal(encodeBase64(ascii(plain)), b64);
    assert.equal(encodeBase64Portable(ascii(plain)), b64);
    assert.deepEqual(decodeBase64(b64), ascii(plain));
    assert.deepEqual(decodeBase64Portable(b64), ascii(plain));
  }
});

test('the portable codec matches Buffer for any bytes, at any offset', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(7), (bytes, skip) => {
      const view = bytes.subarray(Math.min(skip, bytes.length));
      const expected = Buffer.from(view).toString('base64');
      assert.equal(encodeBase64Portable(view), expected);
      assert.equal(encodeBase64(view), expected);
      assert.deepEqual(decodeBase64Portable(expected), new Uint8Array(view));
      assert.deepEqual(decodeBase64(expected), new Uint8Array(view));
    }),
    { numRuns: 500 },
  );
});

test('decoded bytes own their buffer (safe to view as Int16Array)', () => {
  const bytes = decodeBase64('AAECAwQF');
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, 6);
  assert.deepEqual(new Int16Array(bytes.buffer), new Int16Array([0x0100, 0x0302, 0x0504]));
});

test('unpadded base64 is accepted', () => {
  assert.deepEqual(decodeBase64('Zg'), ascii('f'));
  assert.deepEqual(decodeBase64Portable('Zm8'), ascii('fo'));
});

test('invalid base64 throws ValidationError naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['Zm9v!mFy', /character "!" at position 4/],
    ['Zm9 v', /character " " at position 3/],
    ['Zm9vY', /not a whole number of base64 groups/],
    ['Zg=', /not a whole number/],
    ['Zg==Zg==', /character "=" at position 2/],
    ['data:image/jpeg;base64,/9j/', /strip the "data:…;base64," prefix/],
    ['Zm9v\u00e9', /character "é"/],
  ];
  for (const [input, message] of cases) {
    for (const decode of [decodeBase64, decodeBase64Portable]) {
      assert.throws(() => decode(input), (e: unknown) => e instanceof ValidationError && message.test(e.message), input);
    }
  }
});

test('base64url characters are rejected rather than silently skipped', () => {
  // Buffer would decode "-_" as base64url; the service takes the standard alphabet only.
  assert.throws(() => decodeBase64('ab-_'), ValidationError);
});

test('payloads the size of an audio delta (one native decode) own their bytes and are checked like small ones', () => {
  // 4,800 bytes: a 100 ms delta at 24 kHz, above half of Node's buffer pool, where decodeBase64
  // takes Buffer.from(string) when its result owns its memory. Sizes around that edge too.
  for (const size of [4095, 4096, 4097, 4800, 65_536]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 255);
    const b64 = Buffer.from(bytes).toString('base64');
    const out = decodeBase64(b64);
    assert.deepEqual(out, bytes, `size ${size}`);
    assert.equal(out.byteOffset, 0);
    assert.equal(out.buffer.byteLength, size, `size ${size}: the bytes own their buffer`);
    const at = b64.length >> 1;
    // '!' is skipped by Node, '-' is base64url, 'Ł' (U+0141) would be read by its low byte 'A'.
    for (const bad of ['!', '-', '\u0141']) {
      assert.throws(() => decodeBase64(b64.slice(0, at) + bad + b64.slice(at + 1)), ValidationError, `size ${size} with ${bad}`);
    }
    assert.throws(() => decodeBase64(`${b64.slice(0, -4)}AAAAA`), ValidationError, `size ${size}: not whole groups`);
  }
});
