import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { readWav, writeWav, WavStreamWriter, type WriteWavOptions } from '../../src/audio/wav.js';
import { RealtimeError, ValidationError } from '../../src/errors.js';
import { concat, sine } from './signals.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wav-stream-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const chunks = (): Float32Array[] => [sine(160, 16000, 440), sine(1, 16000, 440), sine(333, 16000, 440, 0.3)];
const whole = (): Float32Array => concat(chunks(), (n) => new Float32Array(n));

test('a file path: the streamed file is byte-identical to writeWav of the whole signal', async () => {
  const formats: Omit<WriteWavOptions, 'sampleRate'>[] = [{}, { bitsPerSample: 8 }, { bitsPerSample: 24 }, { float: true }, { float: true, bitsPerSample: 64, extensible: true }];
  for (const [i, format] of formats.entries()) {
    const path = join(dir, `path-${i}.wav`);
    const writer = new WavStreamWriter(path, { sampleRate: 16000, ...format });
    for (const chunk of chunks()) await writer.write(chunk);
    assert.equal(writer.frames, 494);
    await writer.close();
    assert.deepEqual(new Uint8Array(await readFile(path)), writeWav(whole(), { sampleRate: 16000, ...format }), JSON.stringify(format));
  }
});

test('Int16 chunks and raw bytes, written without awaiting each call, land in order', async () => {
  const path = join(dir, 'int16.wav');
  const writer = new WavStreamWriter(path, { sampleRate: 24000, channels: 2 });
  const a = new Int16Array([1, 2, 3, 4]);
  const b = new Uint8Array([5, 0, 6, 0]);
  void writer.write(a);
  void writer.writeBytes(b);
  b.fill(0); // the writer copied it
  await writer.close();
  assert.deepEqual(new Uint8Array(await readFile(path)), writeWav(new Int16Array([1, 2, 3, 4, 5, 6]), { sampleRate: 24000, channels: 2 }));
});

test('a FileHandle is written from position 0 and left open', async () => {
  const path = join(dir, 'handle.wav');
  const handle = await open(path, 'w+');
  try {
    const writer = new WavStreamWriter(handle, { sampleRate: 16000 });
    for (const chunk of chunks()) await writer.write(chunk);
    await writer.close();
    assert.ok((await handle.stat()).size > 0); // still usable
  } finally {
    await handle.close();
  }
  assert.deepEqual(new Uint8Array(await readFile(path)), writeWav(whole(), { sampleRate: 16000 }));
});

test('a non-seekable Writable gets "unknown length" sizes that readers accept', async () => {
  const sink = new PassThrough();
  const received: Buffer[] = [];
  sink.on('data', (d: Buffer) => received.push(d));
  const writer = new WavStreamWriter(sink, { sampleRate: 16000 });
  for (const chunk of chunks()) await writer.write(chunk);
  await writer.close();
  const bytes = new Uint8Array(Buffer.concat(received));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getUint32(4, true), 0xffffffff);
  assert.equal(view.getUint32(40, true), 0xffffffff);
  const wav = readWav(bytes);
  assert.equal(wav.frames, 494);
  assert.equal(wav.dataSizeUnknown, true);
  assert.deepEqual(wav.samples, readWav(writeWav(whole(), { sampleRate: 16000 })).samples);
});

test('an fs.WriteStream is patched through its path after it finishes', async () => {
  const path = join(dir, 'stream.wav');
  const writer = new WavStreamWriter(createWriteStream(path), { sampleRate: 16000, bitsPerSample: 24 });
  for (const chunk of chunks()) await writer.write(chunk);
  await writer.close();
  assert.deepEqual(new Uint8Array(await readFile(path)), writeWav(whole(), { sampleRate: 16000, bitsPerSample: 24 }));
});

test('backpressure: a slow Writable gets every byte, in order', async () => {
  const received: Buffer[] = [];
  const slow = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _enc, callback) {
      received.push(chunk);
      setImmediate(callback);
    },
  });
  const writer = new WavStreamWriter(slow, { sampleRate: 8000 });
  const pcm = new Int16Array(2000).map((_, i) => i);
  for (let i = 0; i < pcm.length; i += 100) await writer.write(pcm.subarray(i, i + 100));
  await writer.close();
  const wav = readWav(new Uint8Array(Buffer.concat(received)));
  assert.equal(wav.frames, 2000);
  assert.equal(Math.round(wav.samples[1999]! * 32767), 1999);
});

test('an interrupted recording is still readable in full', async () => {
  const path = join(dir, 'crash.wav');
  const writer = new WavStreamWriter(path, { sampleRate: 16000 });
  await writer.write(new Int16Array(800).fill(1000));
  // No close(): the header still holds the placeholders (the handle is closed only for the test's cleanup).
  const wav = readWav(new Uint8Array(await readFile(path)));
  assert.equal(wav.frames, 800);
  await writer.close();
});

test('errors: bad format, partial frames, write after close, failing stream', async () => {
  assert.throws(() => new WavStreamWriter(join(dir, 'x.wav'), { sampleRate: 16000, bitsPerSample: 12 as 16 }), ValidationError);
  const path = join(dir, 'errors.wav');
  const writer = new WavStreamWriter(path, { sampleRate: 16000, channels: 2 });
  await assert.rejects(writer.write(new Int16Array(3)), /3 samples is not a whole number of 2-channel frames/);
  await writer.close();
  await assert.rejects(writer.write(new Int16Array(2)), (e: unknown) => e instanceof RealtimeError && e.code === 'closed');
  await writer.close(); // idempotent

  const failing = new Writable({ write: (_c, _e, callback) => callback(new Error('disk full')) });
  const broken = new WavStreamWriter(failing, { sampleRate: 16000 });
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(async () => {
    await broken.write(new Int16Array(10));
    await broken.write(new Int16Array(10));
  }, /disk full/);
  await assert.rejects(broken.close(), /disk full/);

  await assert.rejects(new WavStreamWriter(join(dir, 'missing', 'dir', 'x.wav'), { sampleRate: 16000 }).close(), /ENOENT/);
});
