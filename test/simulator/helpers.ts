/**
 * Test helpers for the simulator: a raw `ws` client that collects every server event and waits
 * for them with a bound, the handshake as an HTTP request, signal generators (silence, tones),
 * a real tiny JPEG, and the shape check of every event against protocol.md §4.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after } from 'node:test';
import { WebSocket } from 'ws';
import { describeShapeProblem, isServerEventType } from '../../src/protocol/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** A server event as received. */
export type Ev = Record<string, any>;

/** Default timeout of every wait. */
export const WAIT_MS = 5000;

/** A raw client: no SDK, just `ws`. */
export class RawClient {
  /** Every parsed server event, in order. */
  readonly events: Ev[] = [];
  /** Every text frame as received (also the ones that were not JSON). */
  readonly frames: string[] = [];
  /** Resolves on close with the code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];
  private closeInfo: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      this.frames.push(text);
      try {
        this.events.push(JSON.parse(text) as Ev);
      } catch {
        // kept in frames only
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    ws.on('error', () => {});
  }

  /** Connects to `${url}?model=${model}` with `Authorization: Bearer <key>`. */
  static connect(url: string, opts: { model?: string; key?: string | null; headers?: Record<string, string>; query?: string } = {}): Promise<RawClient> {
    const model = opts.model ?? 'qwen3.5-omni-plus-realtime';
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key !== null) headers.Authorization = `Bearer ${opts.key ?? 'sk-test'}`;
    const ws = new WebSocket(`${url}${opts.query ?? `?model=${model}`}`, { headers });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), WAIT_MS);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends an event (object → JSON), a raw string, or a binary buffer. */
  send(frame: object | string | Buffer): void {
    if (Buffer.isBuffer(frame)) this.ws.send(frame, { binary: true });
    else this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Index to pass as `since` to only see later events. */
  mark(): number {
    return this.events.length;
  }

  /** The first event at index ≥ `since` matching `match` (a type or a predicate); rejects after `timeoutMs`. */
  waitFor(match: string | ((e: Ev) => boolean), opts: { since?: number; timeoutMs?: number } = {}): Promise<Ev> {
    const pred = typeof match === 'string' ? (e: Ev) => e.type === match : match;
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? WAIT_MS;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = since; i < this.events.length; i++) {
          if (pred(this.events[i]!)) {
            resolve(this.events[i]!);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof match === 'string' ? match : 'a matching event'}; saw: ${this.types(since).join(', ')}${this.closeInfo ? ` (closed ${this.closeInfo.code})` : ''}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Types of the events from `since` on. */
  types(since = 0): string[] {
    return this.events.slice(since).map((e) => String(e.type));
  }

  /** Waits for the close, bounded. */
  waitClosed(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    return bounded(this.closed, timeoutMs, `not closed within ${timeoutMs} ms`);
  }

  /** Closes the socket (1000) and waits a bounded time for the close. */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    await bounded(this.closed, 1000, 'not closed').catch(() => this.ws.terminate());
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** `promise`, or a rejection after `ms`; the timer never outlives the promise. */
export function bounded<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Asserts that every event has a documented type and its documented shape (§4, strict). */
export function assertShapes(events: readonly Ev[]): void {
  for (const e of events) {
    assert.ok(typeof e.type === 'string' && isServerEventType(e.type), `undocumented event type ${String(e.type)}`);
    assert.equal(describeShapeProblem(e.type, e, true), null, `shape of ${e.type}: ${JSON.stringify(e).slice(0, 300)}`);
  }
}

/** The upgrade answer of a handshake, as plain HTTP: status and parsed body. */
export function handshake(url: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: null });
    });
    req.setTimeout(WAIT_MS, () => req.destroy(new Error('handshake timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** `ms` of silence at `rate`. */
export function silence(ms: number, rate = 16000): Int16Array {
  return new Int16Array(Math.round((rate * ms) / 1000));
}

/** `ms` of a sine at `freq` Hz, `dbfs` peak (−12 dBFS by default). */
export function tone(ms: number, rate = 16000, freq = 440, dbfs = -12): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const amp = 32767 * 10 ** (dbfs / 20);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Concatenates PCM. */
export function concatPcm(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Base64 of PCM16. */
export function b64(pcm: Int16Array): string {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
}

/** PCM split into base64 chunks of `ms` each. */
export function chunks(pcm: Int16Array, rate = 16000, ms = 100): string[] {
  const size = Math.round((rate * ms) / 1000);
  const out: string[] = [];
  for (let i = 0; i < pcm.length; i += size) out.push(b64(pcm.subarray(i, i + size)));
  return out;
}

/** PCM16 samples of a base64 audio delta. */
export function pcmOf(delta: string): Int16Array {
  const buf = Buffer.from(delta, 'base64');
  const copy = new Uint8Array(buf);
  return new Int16Array(copy.buffer, 0, copy.length >> 1);
}

/** A real 16×8 grayscale baseline JPEG (made with ImageMagick), 160 bytes. */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAIABABAREA/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/9oACAEBAAA/AJD/2Q==',
  'base64',
);

/** {@link TINY_JPEG} grown to `bytes` bytes with comment segments after SOI (still a valid JPEG). */
export function jpegOfSize(bytes: number): Buffer {
  let pad = bytes - TINY_JPEG.length;
  assert.ok(pad === 0 || pad >= 4, `cannot pad the JPEG by ${pad} bytes`);
  const segments: Buffer[] = [];
  while (pad > 0) {
    // Each COM segment holds at most 65535 bytes after its marker; never leave fewer than 4.
    let size = Math.min(pad, 65537);
    if (pad - size > 0 && pad - size < 4) size -= 4;
    const com = Buffer.alloc(size);
    com[0] = 0xff;
    com[1] = 0xfe;
    com.writeUInt16BE(size - 2, 2);
    segments.push(com);
    pad -= size;
  }
  return Buffer.concat([TINY_JPEG.subarray(0, 2), ...segments, TINY_JPEG.subarray(2)]);
}

/** Event types without deltas, and consecutive duplicates folded: the skeleton of a sequence. */
export function skeleton(types: readonly string[]): string[] {
  return types.filter((t) => !t.endsWith('.delta'));
}

/**
 * Simulators and clients closed after the test file (`after`). Simulators run at speed 0 unless
 * told otherwise.
 */
export function harness() {
  const closers: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  const h = {
    async sim(options: SimulatorOptions = {}): Promise<Simulator> {
      const sim = await startSimulator({ speed: 0, ...options });
      closers.push(() => sim.close());
      return sim;
    },
    async client(sim: Simulator, opts: Parameters<typeof RawClient.connect>[1] = {}): Promise<RawClient> {
      const c = await RawClient.connect(sim.url, opts);
      closers.push(() => c.close());
      return c;
    },
    /** A simulator and a client past `session.created` (and `session.updated` when `session` is given). */
    async open(options: SimulatorOptions = {}, connect: Parameters<typeof RawClient.connect>[1] & { session?: object } = {}) {
      const sim = await h.sim(options);
      const c = await h.client(sim, connect);
      await c.waitFor('session.created');
      if (connect.session) {
        c.send({ type: 'session.update', session: connect.session });
        await c.waitFor((e) => e.type === 'session.updated' || e.type === 'error');
      }
      return { sim, c };
    },
  };
  return h;
}

/** Sends `pcm` as 100 ms appends. */
export function appendAudio(c: RawClient, pcm: Int16Array, rate = 16000): void {
  for (const audio of chunks(pcm, rate)) c.send({ type: 'input_audio_buffer.append', audio });
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
