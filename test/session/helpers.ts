/**
 * What the session tests share: the embedded simulator on 127.0.0.1 with the client frames it
 * received, a session on it closed after the file, bounded waits, and speech from the fixtures.
 */
import { readFileSync } from 'node:fs';
import { after } from 'node:test';
import { readWav } from '../../src/audio/wav.js';
import { float32ToInt16 } from '../../src/audio/pcm.js';
import { RealtimeSession, type RealtimeSessionOptions } from '../../src/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { SimulatorOptions } from '../../src/simulator/options.js';

export const MODEL = 'qwen3.5-omni-plus-realtime';
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

/** Closes `close`'s server or session after the file's tests. */
export function closeAfter(close: () => Promise<unknown>): void {
  closers.push(close);
}

/** A client frame the simulator received: connection index, type, the event. */
export interface Frame {
  index: number;
  type: string;
  event: Record<string, unknown>;
}

/** The simulator at full speed unless told, and every client frame it received. */
export async function simulator(options: SimulatorOptions = {}) {
  const frames: Frame[] = [];
  const sim = await startSimulator({
    speed: 0,
    ...options,
    onFrame: (record) => {
      const r = record as unknown as { direction: string; connection?: number; event?: Record<string, unknown>; frame?: unknown };
      const event = (r.event ?? (typeof r.frame === 'string' ? safeParse(r.frame) : r.frame)) as Record<string, unknown> | undefined;
      if (event && /^(in|client)/.test(String(r.direction))) frames.push({ index: Number(r.connection ?? 0), type: String(event.type), event });
      options.onFrame?.(record);
    },
  });
  closers.push(() => sim.close());
  return { sim, frames };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A connected session on `url`, closed after the file. */
export async function session(url: string, options: Partial<RealtimeSessionOptions> = {}) {
  const s = new RealtimeSession({ apiKey: 'sk-test', url, model: MODEL, keepaliveMs: false, logger: { warn: () => {} }, ...options });
  closers.push(() => s.close());
  await s.connect();
  return s;
}

/** The next value `subscribe` delivers, or a rejection after `timeoutMs`. */
export function once<T>(subscribe: (fn: (v: T) => void) => () => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`event not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Speech from the fixtures, PCM16 at 16 kHz. */
export function speech(file = 'weather.wav'): Int16Array {
  const wav = readWav(new Uint8Array(readFileSync(new URL(`../fixtures/speech/${file}`, import.meta.url))));
  return float32ToInt16(wav.samples);
}

/** Streams `pcm` in 100 ms chunks at 16 kHz. */
export async function speak(s: RealtimeSession, pcm: Int16Array): Promise<void> {
  for (let i = 0; i < pcm.length; i += 1600) await s.appendAudio(pcm.subarray(i, i + 1600));
}

/** A long reply, so that there is time to cut it. */
export const LONG = 'This is a long answer that keeps going for quite a while so that the user has time to interrupt it in the middle of a sentence. '.repeat(3);
