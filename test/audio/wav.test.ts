import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { int16ToFloat32 } from '../../src/audio/pcm.js';
import { readWav, writeWav, type WavAudio, type WriteWavOptions } from '../../src/audio/wav.js';
import { ValidationError } from '../../src/errors.js';
import { seeded, sine } from './signals.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)));
const text = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const u16 = (n: number): number[] => [n & 255, n >>> 8];

/** A WAV file assembled from raw chunks, for headers the writer would never produce. */
function riff(...chunks: [string, number[], number?][]): Uint8Array {
  const body: number[] = text('WAVE');
  for (const [id, data, claimed] of chunks) {
    body.push(...text(id), ...u32(claimed ?? data.length), ...data);
    if (data.length % 2 === 1 && claimed === undefined) body.push(0);
  }
  return new Uint8Array([...text('RIFF'), ...u32(body.length), ...body]);
}
const fmt = (tag: number, channels: number, rate: number, bits: number, extra: number[] = []): number[] => {
  const align = channels * Math.ceil(bits / 8);
  return [...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits), ...extra];
};
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const extensible = (tag: number, validBits: number, mask: number, tail = GUID_TAIL): number[] => [...u16(22), ...u16(validBits), ...u32(mask), ...u16(tag), ...tail];

/** Throws unless `fn` throws a ValidationError whose message matches. */
function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && message.test(e.message) || assert.fail(`${String(e)} does not match ${message}`));
}

test('the canonical 44-byte header for 16-bit mono', () => {
  const bytes = writeWav(new Int16Array([1, -1]), { sampleRate: 16000 });
  assert.deepEqual(Array.from(bytes), [
    ...text('RIFF'), ...u32(40), ...text('WAVE'), ...text('fmt '), ...u32(16), ...fmt(1, 1, 16000, 16), ...text('data'), ...u32(4), 1, 0, 0xff, 0xff,
  ]);
});

test('round trips for every format, channel count and header style', () => {
  const random = seeded(7);
  const formats: Omit<WriteWavOptions, 'sampleRate'>[] = [
    { bitsPerSample: 8 }, { bitsPerSample: 16 }, { bitsPerSample: 24 }, { bitsPerSample: 32 }, { float: true }, { float: true, bitsPerSample: 64 },
  ];
  for (const format of formats) {
    for (const channels of [1, 2, 3, 6]) {
      for (const ext of [false, true]) {
        const frames = 101; // odd: exercises the pad byte for 8- and 24-bit mono
        const samples = new Float32Array(frames * channels).map(() => random() * 2 - 1);
        samples[0] = 1;
        samples[1] = -1;
        const bytes = writeWav(samples, { sampleRate: 22050, channels, ...format, extensible: ext });
        assert.equal(bytes.length % 2, 0);
        const wav = readWav(bytes, { strict: true });
        const bits = format.bitsPerSample ?? (format.float ? 32 : 16);
        const label = `${bits}-bit ${format.float ? 'float' : 'pcm'} ${channels} ch ${ext ? 'extensible' : 'plain'}`;
        assert.deepEqual({ ...wav, samples: undefined }, { sampleRate: 22050, channels, bitsPerSample: bits, encoding: format.float ? 'float' : 'pcm', frames, samples: undefined, truncated: false, dataSizeUnknown: false }, label);
        // Quantization error of the integer formats: half a step (2^-(bits-1) full scale), float32-limited at 32 bits.
        const tolerance = format.float ? 0 : Math.max(2 ** -(bits - 1), 2 ** -24);
        for (let i = 0; i < samples.length; i++) assert.ok(Math.abs(wav.samples[i]! - samples[i]!) <= tolerance, `${label} [${i}]`);
        assert.equal(wav.samples[0], 1, label);
        assert.equal(wav.samples[1], -1, label);
      }
    }
  }
});

test('Int16 samples written as 16-bit come back bit-exact', () => {
  const pcm = new Int16Array(1000).map((_, i) => ((i * 7919) % 65536) - 32768);
  const wav = readWav(writeWav(pcm, { sampleRate: 16000, channels: 2 }));
  assert.deepEqual(wav.samples, int16ToFloat32(pcm));
  // Int16 written at another depth goes through float with the same scaling (full scale stays full scale).
  const wide = readWav(writeWav(pcm, { sampleRate: 16000, bitsPerSample: 24 })).samples;
  const expected = int16ToFloat32(pcm);
  for (let i = 0; i < pcm.length; i++) assert.ok(Math.abs(wide[i]! - expected[i]!) <= 2 ** -23);
  assert.equal(wide[0], -1);
});

test('files written by SoX: plain and extensible headers, fact chunks, 8/16/24/32-bit and float', () => {
  const cases: [string, Partial<WavAudio>][] = [
    ['sox-u8-mono-8k.wav', { sampleRate: 8000, channels: 1, bitsPerSample: 8, encoding: 'pcm', frames: 160 }],
    ['sox-s24-stereo-44k.wav', { sampleRate: 44100, channels: 2, bitsPerSample: 24, encoding: 'pcm', frames: 441 }],
    ['sox-f32-mono-48k.wav', { sampleRate: 48000, channels: 1, bitsPerSample: 32, encoding: 'float', frames: 480 }],
    ['sox-s32-mono-16k.wav', { sampleRate: 16000, channels: 1, bitsPerSample: 32, encoding: 'pcm', frames: 160 }],
    ['sox-s16-4ch-16k.wav', { sampleRate: 16000, channels: 4, bitsPerSample: 16, encoding: 'pcm', frames: 160 }],
  ];
  for (const [name, expected] of cases) {
    const wav = readWav(fixture(name), { strict: true });
    for (const [key, value] of Object.entries(expected)) assert.equal(wav[key as keyof WavAudio], value, `${name} ${key}`);
    // Every channel holds the same half-scale 1 kHz tone: the peak, the zero crossings (two per
    // cycle) and identical channels catch wrong scaling, sign extension, endianness or interleaving.
    let peak = 0;
    let crossings = 0;
    for (let f = 0; f < wav.frames; f++) {
      const s = wav.samples[f * wav.channels]!;
      // SoX dithers each channel separately: equal within a few quantization steps.
      for (let c = 1; c < wav.channels; c++) assert.ok(Math.abs(wav.samples[f * wav.channels + c]! - s) <= 3 * 2 ** -(wav.bitsPerSample - 1), `${name} frame ${f}`);
      peak = Math.max(peak, Math.abs(s));
      if (f > 0 && Math.sign(s) !== Math.sign(wav.samples[(f - 1) * wav.channels]!) && s !== 0) crossings++;
    }
    assert.ok(peak > 0.49 && peak < 0.52, `${name} peak ${peak}`);
    const frequency = (crossings / 2) * (wav.sampleRate / wav.frames);
    assert.ok(Math.abs(frequency - 1000) <= 100, `${name}: ${frequency} Hz`);
  }
});

test('compressed WAV files give an error naming the format and the fix', () => {
  rejects(() => readWav(fixture('sox-mulaw-8k.wav')), /compressed \(format 0x0007 \(µ-law\)\).*ffmpeg/);
  rejects(() => readWav(fixture('sox-ima-adpcm-8k.wav')), /0x0011 \(IMA ADPCM\)/);
  rejects(() => readWav(riff(['fmt ', fmt(0x55, 1, 44100, 0)], ['data', [1, 2, 3, 4]])), /0x0055 \(MP3\)/);
  rejects(() => readWav(riff(['fmt ', fmt(0xfffe, 1, 44100, 16, extensible(0x55, 16, 4))], ['data', [1, 2]])), /0x0055 \(MP3\)/);
  rejects(() => readWav(riff(['fmt ', fmt(0xfffe, 1, 44100, 16, extensible(1, 16, 4, [...GUID_TAIL].reverse()))], ['data', [1, 2]])), /sub-format GUID/);
});

test('other files are named, not misread', () => {
  const cases: [number[], RegExp][] = [
    [[...text('OggS'), ...new Array(20).fill(0)], /an Ogg file/],
    [[...text('fLaC'), ...new Array(20).fill(0)], /a FLAC file/],
    [[...text('ID3'), 4, ...new Array(20).fill(0)], /an MP3 file/],
    [[0, 0, 0, 0x20, ...text('ftypM4A '), ...new Array(12).fill(0)], /MP4\/M4A/],
    [[...text('RIFX'), ...new Array(20).fill(0)], /Big-endian WAV \(RIFX\)/],
    [[...text('RF64'), ...new Array(20).fill(0)], /RF64 WAV/],
    [[...text('RIFF'), 0, 0, 0, 0, ...text('AVI '), ...new Array(8).fill(0)], /RIFF file of type "AVI "/],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], /data starting with "\\x01\\x02\\x03\\x04"/],
    [[...text('RIFF')], /shorter than the 12-byte RIFF header/],
  ];
  for (const [bytes, message] of cases) rejects(() => readWav(new Uint8Array(bytes)), message);
});

test('unknown chunks are skipped wherever they are, including odd-sized ones with a pad byte', () => {
  const data = [0x01, 0x00, 0xff, 0x7f];
  const file = riff(['JUNK', [1, 2, 3]], ['fmt ', fmt(1, 1, 8000, 16)], ['LIST', text('INFOISFT\x05\x00\x00\x00sox!')], ['data', data], ['id3 ', [9, 9, 9, 9, 9]]);
  const wav = readWav(file, { strict: true });
  assert.deepEqual(Array.from(wav.samples), [Math.fround(1 / 32767), 1]);
  // fmt after data is legal RIFF.
  assert.equal(readWav(riff(['data', data], ['fmt ', fmt(1, 2, 8000, 16)])).frames, 1);
});

test('extensible headers with fewer valid bits than the container decode the container', () => {
  // 20 valid bits in a 24-bit container, left-justified: the container value is the sample.
  const file = riff(['fmt ', fmt(0xfffe, 1, 48000, 24, extensible(1, 20, 4))], ['data', [0x00, 0x00, 0x80, 0xf0, 0xff, 0x7f]]);
  const wav = readWav(file);
  assert.equal(wav.bitsPerSample, 24);
  assert.deepEqual(Array.from(wav.samples), [-1, Math.fround(0x7ffff0 / 0x7fffff)]);
});

test('a data chunk claiming 4 GB reads what is there without allocating 4 GB', () => {
  const file = riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', [1, 0, 2, 0, 3, 0], 0xffffffff]);
  const before = process.memoryUsage().arrayBuffers;
  const wav = readWav(file);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
  assert.equal(wav.frames, 3);
  assert.equal(wav.samples.length, 3);
  assert.equal(wav.dataSizeUnknown, true);
  assert.equal(wav.truncated, false);
  rejects(() => readWav(file, { strict: true }), /data chunk size is a placeholder \(0xFFFFFFFF\) with 6 bytes/);
  // A real over-long claim (not the placeholder) is a cut-off file.
  const cut = readWav(riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', [1, 0, 2, 0], 0xfffffffe]));
  assert.deepEqual([cut.frames, cut.truncated, cut.dataSizeUnknown], [2, true, false]);
});

test('a data chunk of size 0 with audio after it (a crashed recorder) is read to the end of the file', () => {
  const pcm = [0x00, 0x40, 0x00, 0xc0, 0xff, 0x7f, 0x01];
  const file = riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', pcm, 0]);
  const wav = readWav(file);
  assert.equal(wav.dataSizeUnknown, true);
  assert.equal(wav.frames, 3);
  assert.deepEqual(Array.from(wav.samples), [Math.fround(16384 / 32767), -0.5, 1]);
  assert.equal(wav.truncated, true, 'the odd last byte is a partial frame');
  rejects(() => readWav(file, { strict: true }), /data chunk size is a placeholder \(0\) with 7 bytes of audio/);
  // An empty data chunk followed by a real chunk stays empty.
  const empty = readWav(riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', []], ['LIST', [0x49, 0x4e, 0x46, 0x4f]]));
  assert.deepEqual([empty.frames, empty.dataSizeUnknown], [0, false]);
});

test('a partial last frame is dropped and flagged (or rejected in strict mode)', () => {
  const file = riff(['fmt ', fmt(1, 2, 16000, 16)], ['data', [1, 0, 2, 0, 3, 0]]);
  const wav = readWav(file);
  assert.equal(wav.frames, 1);
  assert.equal(wav.truncated, true);
  rejects(() => readWav(file, { strict: true }), /not a whole number of 4-byte frames/);
});

test('malformed fmt chunks are named', () => {
  const data: [string, number[]] = ['data', [0, 0, 0, 0]];
  rejects(() => readWav(riff(['fmt ', fmt(1, 0, 8000, 16)], data)), /0 channels/);
  rejects(() => readWav(riff(['fmt ', fmt(1, 1, 0, 16)], data)), /sample rate of 0 Hz/);
  rejects(() => readWav(riff(['fmt ', fmt(1, 1, 8000, 0)], data)), /0 bits per sample/);
  rejects(() => readWav(riff(['fmt ', fmt(1, 1, 8000, 40)], data)), /40 bits per sample/);
  rejects(() => readWav(riff(['fmt ', fmt(3, 1, 8000, 16)], data)), /float with 16 bits/);
  rejects(() => readWav(riff(['fmt ', fmt(1, 1, 8000, 16).slice(0, 12)], data)), /'fmt ' chunk is 12 bytes/);
  rejects(() => readWav(riff(['fmt ', fmt(0xfffe, 1, 8000, 16)], data)), /EXTENSIBLE 'fmt ' chunk is 16 bytes/);
  const badAlign = fmt(1, 2, 8000, 16);
  badAlign[12] = 3;
  rejects(() => readWav(riff(['fmt ', badAlign], data)), /block align is 3 bytes but 2 channel\(s\) of 16-bit samples need 4/);
  rejects(() => readWav(riff(data)), /no "fmt " chunk/);
  rejects(() => readWav(riff(['fmt ', fmt(1, 1, 8000, 16)])), /no "data" chunk/);
  rejects(() => readWav(riff(['LIST', [1, 2], 1000], ['fmt ', fmt(1, 1, 8000, 16)], data)), /chunk "LIST" at byte 12 claims 1000 bytes but only \d+ remain/);
});

test('every truncation of a valid file is a ValidationError or a shorter valid result', () => {
  const file = writeWav(sine(50, 16000, 1000), { sampleRate: 16000, float: true });
  for (let n = 0; n < file.length; n++) {
    try {
      const wav = readWav(file.subarray(0, n));
      assert.ok(wav.frames < 50 && wav.samples.length === wav.frames);
    } catch (e) {
      assert.ok(e instanceof ValidationError, `cut at ${n}: ${String(e)}`);
    }
  }
});

/** Invariants any successful read must satisfy, whatever the input. */
function checkResult(wav: WavAudio, input: Uint8Array): void {
  assert.equal(wav.samples.length, wav.frames * wav.channels);
  assert.ok(wav.samples.length * (wav.bitsPerSample / 8) <= input.length);
  for (const s of wav.samples) assert.ok(s >= -1 && s <= 1);
}

test('fuzzed headers never crash: a ValidationError or a consistent result', () => {
  const seeds = [
    writeWav(sine(40, 8000, 1000), { sampleRate: 8000, channels: 2 }),
    writeWav(sine(30, 44100, 1000), { sampleRate: 44100, bitsPerSample: 24, extensible: true }),
    writeWav(sine(30, 48000, 1000), { sampleRate: 48000, float: true }),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(90), fc.nat(255)), { minLength: 1, maxLength: 8 }), fc.nat(200), (seed, edits, cut) => {
      const bytes = seed.slice(0, Math.max(0, seed.length - cut));
      for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
      try {
        checkResult(readWav(bytes), bytes);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
      }
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      const bytes = new Uint8Array([...text('RIFF'), 0, 0, 0, 0, ...text('WAVE'), ...tail]);
      try {
        checkResult(readWav(bytes), bytes);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

test('writeWav rejects what a WAV header cannot describe', () => {
  rejects(() => writeWav(new Int16Array(3), { sampleRate: 16000, channels: 2 }), /3 samples is not a whole number of 2-channel frames/);
  rejects(() => writeWav(new Int16Array(2), { sampleRate: 0 }), /sampleRate must be a positive integer/);
  rejects(() => writeWav(new Int16Array(2), { sampleRate: 16000, channels: 0 }), /channels/);
  rejects(() => writeWav(new Float32Array(2), { sampleRate: 16000, float: true, bitsPerSample: 16 }), /Float WAV must have 32, 64 bits/);
  rejects(() => writeWav(new Float32Array(2), { sampleRate: 16000, bitsPerSample: 12 as 16 }), /8, 16, 24, 32 bits/);
});
