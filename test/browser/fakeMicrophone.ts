/**
 * The fake microphone of the Chromium tests: Chromium plays a WAV file as the capture device
 * (`--use-file-for-fake-audio-capture`), once, from when capture starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { downmixToMono, readWav, resample, writeWav } from '../../src/audio/index.js';

const root = resolve(import.meta.dirname, '../..');

/** test/fixtures/speech/weather.wav (16 kHz) at 48 kHz with 4 s of silence after, written to `dir`; returns its path. */
export function microphoneWav(dir: string): string {
  const wav = readWav(new Uint8Array(readFileSync(join(root, 'test/fixtures/speech/weather.wav'))));
  const speech = resample(downmixToMono(wav.samples, wav.channels), wav.sampleRate, 48_000);
  const padded = new Float32Array(speech.length + 48_000 * 4);
  padded.set(speech);
  const path = join(dir, 'microphone-48k.wav');
  writeFileSync(path, writeWav(padded, { sampleRate: 48_000 }));
  return path;
}
