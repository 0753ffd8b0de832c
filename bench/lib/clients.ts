/**
 * The two clients every benchmark compares, behind one small interface:
 *
 * - `raw`, the limit: a bare `ws` socket, `JSON.parse` of each text frame, audio deltas decoded
 *   with `Buffer.from(…, 'base64')` into an Int16Array view, audio appended as
 *   `JSON.stringify({ type, audio: base64 })`. It does no more than the protocol requires: no
 *   event ids, no validation, no typed dispatch.
 * - `sdk`: `RealtimeClient` as the README uses it: typed listeners, `appendAudio(Int16Array)`,
 *   and reply audio decoded with the audio kit (`pcm16FromBase64(delta)`, as
 *   `RealtimeSession` does).
 * - `sdk-buffer`: `RealtimeClient`, but reply audio decoded the raw way; the difference to `sdk`
 *   is the cost of the audio kit's validating decoder, to the rest the client's own cost.
 * - `openai` (receive benchmark only): openai-node's realtime WebSocket client
 *   (`openai/realtime/ws`, `OpenAIRealtimeWS`) on the same stream, reply audio decoded the raw
 *   way: the peer SDK a user would compare with. It insists on `wss://`, so its socket is handed a
 *   plain TCP connection (`createConnection`) to the local replay server.
 */
import { connect as netConnect } from 'node:net';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { WebSocket } from 'ws';
import { pcm16FromBase64 } from '../../src/audio/pcm.js';
import { RealtimeClient } from '../../src/client/realtimeClient.js';

/** Which client. */
export type Variant = 'raw' | 'sdk' | 'sdk-buffer';
/** Which client, in the receive benchmark (which also measures openai-node's). */
export type ReceiveVariant = Variant | 'openai';

/** A server event as the benchmarks see it. */
export interface BenchEvent {
  type: string;
  [field: string]: unknown;
}

/** What every benchmark does with a session. */
export interface BenchSession {
  /** Opens the socket and waits for `session.created`. */
  connect(url: string): Promise<void>;
  /** Switches to Manual mode (`turn_detection: null`) and waits for `session.updated`. */
  manualMode(): Promise<void>;
  /** Called for every server event (after an audio delta's audio was decoded). */
  onEvent(handler: (event: BenchEvent) => void): void;
  /** Called with the decoded PCM of every `response.audio.delta`. */
  onAudio(handler: (pcm: Int16Array) => void): void;
  /** Appends 16-bit PCM; resolves when the socket has room again. */
  appendAudio(pcm: Int16Array): Promise<unknown> | undefined;
  /** Sends a client event as it is (commit, response.create, the benchmark's own). */
  send(event: BenchEvent): void;
  /** Outbound bytes not yet written. */
  readonly bufferedAmount: number;
  /** Closes and waits for the close. */
  close(): Promise<void>;
}

/** Outbound buffer above which appending waits: the SDK's default `sendHighWaterMark`. */
const HIGH_WATER = 1024 * 1024;

const MODEL = 'qwen3.5-omni-plus-realtime';
/**
 * The key both clients send. It must not occur in any frame: the client redacts its key from
 * whatever the server sends (a server echoing it must not hand it to listeners), and a short
 * key such as 'bench' would turn the benchmark's own `bench.end` into something else.
 */
const API_KEY = 'sk-benchmark-0123456789abcdef';

/** Int16Array view of base64 PCM16, decoded by Node's codec (no validation, no copy). */
function bufferDecode(b64: string): Int16Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

class RawSession implements BenchSession {
  #ws: WebSocket | undefined;
  #handler: (event: BenchEvent) => void = () => {};
  #audio: (pcm: Int16Array) => void = () => {};
  #waiters = new Map<string, () => void>();

  connect(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}?model=${MODEL}`, { headers: { Authorization: `Bearer ${API_KEY}` }, perMessageDeflate: false });
      this.#ws = ws;
      this.#waiters.set('session.created', resolve);
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => {
        const event = JSON.parse(data.toString()) as BenchEvent;
        if (event.type === 'response.audio.delta') this.#audio(bufferDecode(event.delta as string));
        const waiter = this.#waiters.get(event.type);
        if (waiter) {
          this.#waiters.delete(event.type);
          waiter();
        }
        this.#handler(event);
      });
    });
  }

  manualMode(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.set('session.updated', resolve);
      this.send({ type: 'session.update', session: { modalities: ['text', 'audio'], turn_detection: null } });
    });
  }

  onEvent(handler: (event: BenchEvent) => void): void {
    this.#handler = handler;
  }

  onAudio(handler: (pcm: Int16Array) => void): void {
    this.#audio = handler;
  }

  appendAudio(pcm: Int16Array): Promise<unknown> | undefined {
    const ws = this.#ws!;
    const json = JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64') });
    if (ws.bufferedAmount <= HIGH_WATER) {
      ws.send(json);
      return undefined;
    }
    // The callback fires once these bytes reached the kernel: the buffer has drained past them.
    return new Promise((resolve) => ws.send(json, resolve));
  }

  send(event: BenchEvent): void {
    this.#ws!.send(JSON.stringify(event));
  }

  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  close(): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
  }
}

class SdkSession implements BenchSession {
  #client: RealtimeClient | undefined;
  readonly #kitDecode: boolean;

  constructor(kitDecode: boolean) {
    this.#kitDecode = kitDecode;
  }

  async connect(url: string): Promise<void> {
    this.#client = new RealtimeClient({ url, apiKey: API_KEY, model: MODEL, env: {} });
    await this.#client.connect();
  }

  async manualMode(): Promise<void> {
    await this.#client!.updateSession({ modalities: ['text', 'audio'], turn_detection: null });
  }

  onEvent(handler: (event: BenchEvent) => void): void {
    const client = this.#client!;
    client.on('*', (event) => handler(event.type === 'unknown' ? (event.event as BenchEvent) : (event as unknown as BenchEvent)));
  }

  onAudio(handler: (pcm: Int16Array) => void): void {
    const decode = this.#kitDecode ? pcm16FromBase64 : bufferDecode;
    this.#client!.on('response.audio.delta', (event) => handler(decode(event.delta)));
  }

  appendAudio(pcm: Int16Array): Promise<unknown> {
    return this.#client!.appendAudio(pcm);
  }

  send(event: BenchEvent): void {
    this.#client!.send(event);
  }

  get bufferedAmount(): number {
    return this.#client?.bufferedAmount ?? 0;
  }

  close(): Promise<void> {
    return this.#client?.close() ?? Promise.resolve();
  }
}

class OpenAiSession implements BenchSession {
  #rt: OpenAIRealtimeWS | undefined;
  #handler: (event: BenchEvent) => void = () => {};
  #audio: (pcm: Int16Array) => void = () => {};

  connect(url: string): Promise<void> {
    const u = new URL(url);
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `http://${u.host}${u.pathname.replace(/\/realtime$/, '')}` });
    // The path of a UNIX socket must not be taken from the URL's path (as ws' own netConnect does).
    const createConnection = (options: { host?: string; port?: number }) => netConnect({ host: options.host ?? '127.0.0.1', port: Number(options.port) });
    const rt = new OpenAIRealtimeWS({ model: MODEL, options: { createConnection, perMessageDeflate: false } as never }, client);
    this.#rt = rt;
    rt.on('error', () => {});
    rt.on('event', (event) => {
      const e = event as unknown as BenchEvent;
      if (e.type === 'response.audio.delta') this.#audio(bufferDecode(e.delta as string));
      this.#handler(e);
    });
    return new Promise((resolve, reject) => {
      rt.socket.once('error', reject);
      rt.on('session.created' as never, (() => resolve()) as never);
    });
  }

  manualMode(): Promise<void> {
    return new Promise((resolve) => {
      this.#rt!.on('session.updated' as never, (() => resolve()) as never);
      this.send({ type: 'session.update', session: { modalities: ['text', 'audio'], turn_detection: null } });
    });
  }

  onEvent(handler: (event: BenchEvent) => void): void {
    this.#handler = handler;
  }

  onAudio(handler: (pcm: Int16Array) => void): void {
    this.#audio = handler;
  }

  appendAudio(pcm: Int16Array): undefined {
    this.send({ type: 'input_audio_buffer.append', audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64') });
    return undefined;
  }

  send(event: BenchEvent): void {
    this.#rt!.send(event as never);
  }

  get bufferedAmount(): number {
    return this.#rt?.socket.bufferedAmount ?? 0;
  }

  close(): Promise<void> {
    const ws = this.#rt?.socket;
    if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
  }
}

/** A new, unconnected session of `variant`. */
export function newSession(variant: ReceiveVariant): BenchSession {
  if (variant === 'openai') return new OpenAiSession();
  if (variant === 'raw') return new RawSession();
  return new SdkSession(variant === 'sdk');
}

/** 100 ms of a 440 Hz tone at 16 kHz (1,600 samples, 3,200 bytes): the audio every session sends. */
export function inputChunk(): Int16Array {
  const pcm = new Int16Array(1600);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  return pcm;
}
