import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkImage, detectImage, sniffImageFormat } from '../../src/audio/image.js';
import { ValidationError } from '../../src/errors.js';
import { jpeg } from './signals.js';

const be32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function png(width: number, height: number): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...be32(13), 0x49, 0x48, 0x44, 0x52, ...be32(width), ...be32(height), 8, 2, 0, 0, 0, 0, 0, 0, 0]);
}

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => (e instanceof ValidationError && e.code === code && message.test(e.message)) || assert.fail(`${String(e)} (${(e as ValidationError).code})`));
}

test('JPEG dimensions come from the frame header, skipping DHT and fill bytes', () => {
  assert.deepEqual(detectImage(jpeg(1280, 720)), { format: 'jpeg', width: 1280, height: 720 });
  assert.deepEqual(detectImage(jpeg(640, 480, { sof: 0xc2 })), { format: 'jpeg', width: 640, height: 480 }); // progressive
  assert.deepEqual(detectImage(jpeg(1, 65535, { fill: true })), { format: 'jpeg', width: 1, height: 65535 });
});

test('PNG dimensions come from IHDR', () => {
  assert.deepEqual(detectImage(png(1920, 1080)), { format: 'png', width: 1920, height: 1080 });
});

test('unknown, truncated and corrupt headers give null, never an exception', () => {
  assert.equal(detectImage(new Uint8Array(0)), null);
  assert.equal(detectImage(new TextEncoder().encode('GIF89a........')), null);
  assert.equal(detectImage(jpeg(0, 480)), null); // height defined later by DNL: unknown here
  const full = jpeg(800, 600);
  const sofAt = full.findIndex((b, i) => b === 0xff && full[i + 1] === 0xc0);
  for (let n = 0; n < sofAt + 9; n++) assert.equal(detectImage(full.subarray(0, n)), null, `JPEG cut at ${n}`);
  for (let n = 0; n < 24; n++) assert.equal(detectImage(png(10, 10).subarray(0, n)), null, `PNG cut at ${n}`);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, asJpeg) => {
      const bytes = new Uint8Array([...(asJpeg ? [0xff, 0xd8, 0xff] : [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...tail]);
      const info = detectImage(bytes);
      assert.ok(info === null || (info.width > 0 && info.height > 0));
    }),
    { numRuns: 2000 },
  );
});

test('other formats are recognised by name', () => {
  const ascii = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
  assert.equal(sniffImageFormat(ascii('GIF89a')), 'gif');
  assert.equal(sniffImageFormat(ascii('RIFF\0\0\0\0WEBPVP8 ')), 'webp');
  assert.equal(sniffImageFormat(ascii('BM')), 'bmp');
  assert.equal(sniffImageFormat(ascii('II*\0')), 'tiff');
  assert.equal(sniffImageFormat(ascii('\0\0\0\x18ftypheic')), 'heif');
  assert.equal(sniffImageFormat(ascii('hello')), null);
});

test('checkImage accepts a JPEG within the limits and reports its base64 size', () => {
  assert.deepEqual(checkImage(jpeg(1280, 720, { size: 3000 })), { format: 'jpeg', width: 1280, height: 720, base64Length: 4000 });
  assert.equal(checkImage(jpeg(1080, 1920)).height, 1920); // portrait 1080p
});

test('checkImage names each problem', () => {
  rejects(() => checkImage(new Uint8Array(0)), 'image_empty', /empty \(0 bytes\)/);
  rejects(() => checkImage(new Uint8Array([1, 2, 3])), 'image_format', /not recognised/);
  rejects(() => checkImage(new TextEncoder().encode('GIF89a')), 'image_format', /GIF; the service accepts JPEG only/);
  rejects(() => checkImage(png(640, 480)), 'image_format', /PNG \(recognised, but not accepted by the service; pass allowPng: true/);
  rejects(() => checkImage(jpeg(0, 480)), 'image_unreadable', /JPEG header could not be read/);
  rejects(() => checkImage(jpeg(3840, 2160)), 'image_resolution', /3840×2160; the service takes at most 1920×1080/);
});

test('the size limit is 256 KB after base64 by default, and configurable', () => {
  // 196,608 raw bytes encode to exactly 262,144 characters: the largest accepted file.
  assert.equal(checkImage(jpeg(640, 480, { size: 196_608 })).base64Length, 262_144);
  rejects(() => checkImage(jpeg(640, 480, { size: 196_609 })), 'image_too_large', /256\.0 KB after base64 \(192\.0 KB raw\); the limit is 256\.0 KB after base64/);
  rejects(() => checkImage(jpeg(640, 480, { size: 1000 }), { maxBase64Bytes: 1000 }), 'image_too_large', /1\.3 KB after base64.*limit is 1000 B|limit is 1\.0 KB/);
  assert.equal(checkImage(jpeg(640, 480, { size: 500_000 }), { maxBase64Bytes: 700_000 }).width, 640);
});

test('PNG passes when allowed; resolution limits are configurable', () => {
  assert.equal(checkImage(png(640, 480), { allowPng: true }).format, 'png');
  assert.equal(checkImage(jpeg(3840, 2160), { maxLongSide: Infinity, maxShortSide: Infinity }).width, 3840);
  rejects(() => checkImage(jpeg(1280, 720), { maxLongSide: 854, maxShortSide: 480 }), 'image_resolution', /at most 854×480/);
});
