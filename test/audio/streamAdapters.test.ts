import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { PcmRechunker, fromNodeStream, fromWebStream } from '../../src/audio/streamAdapters.js';
import { ValidationError } from '../../src/errors.js';
import { concat } from './signals.js';

/** `bytes` cut at `cuts` (sorted offsets). */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    parts.push(bytes.slice(at, p));
    at = p;
  }
  return parts;
}

/** A web ReadableStream of `parts` (ReadableStream.from is missing from the DOM typings). */
function webStream(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of source) out.push(c);
  return out;
}

test('any cutting of the byte stream gives the same fixed-size chunks, with no byte lost', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 200 }), fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(1, 2), async (frames, cuts, channels) => {
      const bytes = new Uint8Array(frames * 2 * channels).map((_, i) => i * 31);
      const options = { sampleRate: 1000, chunkMs: 16, channels }; // 16 frames per chunk
      for (const chunks of [await collect(fromNodeStream(Readable.from(cut(bytes, cuts)), options)), await collect(fromWebStream(webStream(cut(bytes, cuts)), options))]) {
        assert.deepEqual(concat(chunks, (n) => new Uint8Array(n)), bytes);
        assert.ok(chunks.slice(0, -1).every((c) => c.length === 32 * channels));
        assert.ok(chunks.every((c) => c.length > 0 && c.length % (2 * channels) === 0));
      }
    }),
    { numRuns: 100 },
  );
});

test('100 ms at 16 kHz is 3,200 bytes', () => {
  assert.equal(new PcmRechunker({ sampleRate: 16000 }).chunkBytes, 3200);
  assert.equal(new PcmRechunker({ sampleRate: 48000, chunkMs: 20, channels: 2 }).chunkBytes, 3840);
});

test('an odd byte is carried into the next chunk', () => {
  const r = new PcmRechunker({ sampleRate: 1000, chunkMs: 2 }); // 4 bytes
  assert.deepEqual(r.push(new Uint8Array([1, 2, 3])), []);
  assert.deepEqual(r.push(new Uint8Array([4, 5])), [new Uint8Array([1, 2, 3, 4])]);
  assert.deepEqual(r.end(), null);
  assert.equal(r.strayBytes, 1);
  r.push(new Uint8Array([5]));
  assert.deepEqual(r.push(new Uint8Array([6])), []);
  assert.deepEqual(r.end(), new Uint8Array([5, 6]));
  assert.equal(r.strayBytes, 0);
  assert.equal(r.end(), null);
});

test('a stream that ends mid-sample yields the whole samples, then a ValidationError', async () => {
  const seen: Uint8Array[] = [];
  await assert.rejects(async () => {
    for await (const c of fromNodeStream(Readable.from([new Uint8Array([1, 2, 3, 4, 5])]), { sampleRate: 1000, chunkMs: 100 })) seen.push(c);
  }, (e: unknown) => e instanceof ValidationError && /1 byte\(s\) left over/.test(e.message));
  assert.deepEqual(seen, [new Uint8Array([1, 2, 3, 4])]);
});

test('text streams are refused', async () => {
  const text = Readable.from(['abcd']);
  await assert.rejects(collect(fromNodeStream(text, { sampleRate: 16000 })), /strings; PCM needs a binary stream/);
});

test('stopping early cancels a web stream; finishing releases its lock', async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(64));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const _ of fromWebStream(stream, { sampleRate: 1000, chunkMs: 16 })) break;
  assert.ok(cancelled);

  const finite = webStream([new Uint8Array(32)]);
  await collect(fromWebStream(finite, { sampleRate: 1000, chunkMs: 16 }));
  assert.equal(finite.locked, false);
});
