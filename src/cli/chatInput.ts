/**
 * The user's side of `chat`: turns read from the command line (WAV, raw PCM, stdin, text,
 * images, frames) and sent as the protocol wants them (protocol.md §3.2 to §3.5, §5.2).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toPcm16Mono, wavToPcm16Mono } from '../audio/convert.js';
import { chunkPcm16 } from '../audio/pacing.js';
import { pcm16FromBytes } from '../audio/pcm.js';
import { detectImage } from '../audio/image.js';
import { userTextEvent } from '../client/outgoingEvents.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { InputError, num, UsageError, type ParsedArgs } from './args.js';

/** One user turn. */
export type TurnInput =
  | { kind: 'audio'; pcm: Int16Array; sampleRate: number; label: string; images: TimedImage[] }
  | { kind: 'text'; text: string; images: TimedImage[] };

/** An image and when (seconds into the turn's audio) to send it. */
export interface TimedImage {
  bytes: Uint8Array;
  atSeconds: number;
  label: string;
}

const CHUNK_MS = 100;

async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `input file not found: ${path}` : `cannot read input ${path} (${code ?? 'error'})`);
  }
}

async function audioTurn(path: string, rawRate: number | undefined, inputRate: number): Promise<TurnInput> {
  const bytes = await readInput(path);
  if (rawRate !== undefined) {
    if (bytes.length % 2 !== 0) throw new InputError(`${path}: raw PCM16 needs an even number of bytes, got ${bytes.length}`);
    const pcm = toPcm16Mono(pcm16FromBytes(bytes), { sampleRate: rawRate, channels: 1 }, inputRate);
    return { kind: 'audio', pcm, sampleRate: inputRate, label: path, images: [] };
  }
  const isRiff = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE';
  if (!isRiff) throw new InputError(`${path} is not a WAV file (no RIFF/WAVE header); for raw PCM16 mono give --rate HZ`);
  let decoded;
  try {
    decoded = wavToPcm16Mono(bytes, inputRate);
  } catch (error) {
    throw new InputError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (decoded.pcm.length === 0) throw new InputError(`${path} holds no audio`);
  return { kind: 'audio', pcm: decoded.pcm, sampleRate: inputRate, label: path, images: [] };
}

async function readImage(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    throw new InputError(`cannot read image ${path}`);
  }
  const info = detectImage(bytes);
  if (!info) throw new InputError(`${path} is not a JPEG image (unrecognised bytes)`);
  if (info.format !== 'jpeg') throw new InputError(`${path} is a ${info.format.toUpperCase()}; the service accepts JPEG frames only (convert it first)`);
  return bytes;
}

/** Reads every turn and image named on the command line, in order. */
export async function loadTurns(args: ParsedArgs, inputRate: number): Promise<TurnInput[]> {
  const rate = args.flags.rate === undefined ? undefined : num(args, 'rate', 16000, 1000, 384000);
  const turns: TurnInput[] = [];
  for (const { name, value } of args.order) {
    if (name === 'input') turns.push(await audioTurn(String(value), rate, inputRate));
    else if (name === 'text') {
      if (String(value).trim() === '') throw new UsageError('--text needs a non-empty text');
      turns.push({ kind: 'text', text: String(value), images: [] });
    }
  }
  const images: TimedImage[] = [];
  for (const path of (args.flags.image as string[] | undefined) ?? []) images.push({ bytes: await readImage(path), atSeconds: 0, label: path });
  const frames = args.flags.frames as string | undefined;
  if (frames !== undefined) {
    const fps = num(args, 'fps', 1, 0.01, 30);
    let names: string[];
    try {
      names = (await readdir(frames)).filter((n) => /\.jpe?g$/i.test(n)).sort();
    } catch {
      throw new InputError(`cannot read --frames folder ${frames}`);
    }
    if (names.length === 0) throw new InputError(`--frames ${frames} holds no .jpg files`);
    for (const [i, n] of names.entries()) images.push({ bytes: await readImage(join(frames, n)), atSeconds: i / fps, label: n });
  }
  const first = turns[0];
  if (images.length > 0) {
    if (!first) throw new UsageError('--image and --frames need a turn (--input or --text) to go with');
    first.images.push(...images);
  }
  return turns;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** Options of {@link sendTurn}. */
export interface SendOptions {
  vad: boolean;
  pace: 'realtime' | 'fast';
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

/**
 * Sends one turn. Audio goes in 100 ms chunks (§2.3), images after the first chunk (§3.5), then a
 * commit and `response.create` in Manual mode, or trailing silence in VAD mode so the server
 * hears the end of speech (§3.2). A text turn with images is preceded by 200 ms of silence,
 * because the service refuses an image with no audio before it.
 */
export async function sendTurn(client: RealtimeTransport, turn: TurnInput, options: SendOptions): Promise<void> {
  const rate = client.inputSampleRate;
  if (turn.kind === 'text') {
    if (turn.images.length > 0) {
      await client.appendAudio(new Int16Array(Math.round(rate * 0.2)));
      for (const image of turn.images) await client.appendImage(image.bytes);
      client.commitAudio();
    }
    client.send(userTextEvent(turn.text, client.model, client.modelInfo, true));
    client.createResponse();
    return;
  }
  const pcm = turn.sampleRate === rate ? turn.pcm : toPcm16Mono(turn.pcm, { sampleRate: turn.sampleRate }, rate);
  const chunks = chunkPcm16(pcm, rate, CHUNK_MS);
  const total = pcm.length / rate;
  const pending = [...turn.images].sort((a, b) => a.atSeconds - b.atSeconds);
  const started = Date.now();
  let sent = 0;
  for (const [i, chunk] of chunks.entries()) {
    if (options.signal.aborted) return;
    await client.appendAudio(chunk);
    sent += chunk.length;
    while (pending.length > 0 && pending[0]!.atSeconds <= sent / rate) await client.appendImage(pending.shift()!.bytes);
    options.progress(sent / rate, total);
    if (options.pace === 'realtime') await sleep(started + (i + 1) * CHUNK_MS - Date.now(), options.signal);
  }
  for (const image of pending) await client.appendImage(image.bytes);
  if (!options.vad) {
    client.commitAudio();
    client.createResponse();
    return;
  }
  const silence = new Int16Array(Math.round((rate * CHUNK_MS) / 1000));
  for (let i = 0; i < 20 && !options.signal.aborted; i++) {
    await client.appendAudio(silence);
    if (options.pace === 'realtime') await sleep(CHUNK_MS, options.signal);
  }
}
