/**
 * The baseline server: plain `ws`, no protocol logic, answering with the frames recorded from the
 * simulator (lib/replyStream.ts). It is the "limit" side of every comparison: it sends what a
 * DashScope server sends, and does no more with what it receives than the protocol requires.
 *
 * Per connection it sends `session.created`, answers `session.update` with `session.updated`,
 * and then, on the client's request:
 * - `response.create`: streams the recorded reply at real time, looping, each frame stamped with
 *   `bench_t` (µs on the machine's monotonic clock, lib/clock.ts) just before it is written;
 *   appended audio is parsed and base64-decoded, the least a real server must do with it;
 * - `bench.flood` `{ repeats }`: sends the recorded reply `repeats` times as fast as the socket
 *   takes it, then `bench.end`;
 * - `bench.sink`: from then on only counts the bytes it receives; `bench.count` asks for them.
 *
 * Started by the benchmarks as a child process (lib/proc.ts); reports `{ type: 'ready', url }`.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { nowUs } from '../lib/clock.js';
import { toParent } from '../lib/proc.js';
import { recordReplyStream } from '../lib/replyStream.js';
import { serveStats } from '../lib/serverStats.js';

const recorded = await recordReplyStream();
/** Each reply frame without its opening brace, ready for `{"bench_t":…,` in front. */
const tails = recorded.reply.map((frame) => frame.slice(1));
/** Each reply frame as UTF-8 bytes, encoded once for flooding. */
const encoded = recorded.reply.map((frame) => Buffer.from(frame, 'utf8'));
const replyBytes = encoded.reduce((n, b) => n + b.length, 0);
/** Frame indices grouped by their real-time offset: each group goes out in one timer tick. */
const ticks: Array<{ offsetMs: number; frames: number[] }> = [];
recorded.offsetsMs.forEach((offsetMs, index) => {
  const last = ticks[ticks.length - 1];
  if (last && last.offsetMs === offsetMs) last.frames.push(index);
  else ticks.push({ offsetMs, frames: [index] });
});
/** One loop of the reply at real time: the next loop's first delta comes 100 ms after the last one, as one unbroken stream. */
const loopMs = recorded.durationMs;

const counters = { framesSent: 0, bytesReceived: 0, audioBytesDecoded: 0, lateTicks: 0 };
/** A tick sent more than this late means the server itself fell behind real time. */
const LATE_MS = 50;

/** Streams the reply at real time, looping until the socket closes. */
function streamPaced(ws: WebSocket): void {
  const start = performance.now();
  let tick = 0;
  let loop = 0;
  const step = (): void => {
    if (ws.readyState !== ws.OPEN) return;
    const due = start + loop * loopMs + ticks[tick]!.offsetMs;
    if (performance.now() - due > LATE_MS) counters.lateTicks++;
    for (const index of ticks[tick]!.frames) {
      ws.send(`{"bench_t":${nowUs()},${tails[index]!}`);
      counters.framesSent++;
    }
    if (++tick === ticks.length) {
      tick = 0;
      loop++;
    }
    const next = start + loop * loopMs + ticks[tick]!.offsetMs;
    setTimeout(step, Math.max(0, next - performance.now()));
  };
  step();
}

/** Sends the reply `repeats` times, keeping at most ~4 MiB queued, then `bench.end`. */
function flood(ws: WebSocket, repeats: number): void {
  let r = 0;
  let i = 0;
  const pump = (): void => {
    while (r < repeats && ws.readyState === ws.OPEN) {
      const last = ws.bufferedAmount > 4 * 1024 * 1024;
      // The callback of a send fires once its bytes reached the kernel: resume from there.
      ws.send(encoded[i]!, { binary: false }, last ? pump : undefined);
      counters.framesSent++;
      if (++i === encoded.length) {
        i = 0;
        r++;
      }
      if (last) return;
    }
    if (r === repeats) ws.send(JSON.stringify({ event_id: 'event_bench_end', type: 'bench.end', frames: repeats * encoded.length, bytes: repeats * replyBytes }));
  };
  pump();
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => {
  let sink = false;
  let sinkBytes = 0;
  let sinkMessages = 0;
  let streaming = false;
  ws.send(recorded.sessionCreated);
  ws.on('message', (data: Buffer) => {
    counters.bytesReceived += data.length;
    if (sink && data.length > 256) {
      sinkBytes += data.length;
      sinkMessages++;
      return;
    }
    const event = JSON.parse(data.toString('utf8')) as { type: string; audio?: string; repeats?: number };
    switch (event.type) {
      case 'session.update':
        ws.send(recorded.sessionUpdated);
        break;
      case 'input_audio_buffer.append':
        counters.audioBytesDecoded += Buffer.from(event.audio ?? '', 'base64').length;
        break;
      case 'response.create':
        if (!streaming) {
          streaming = true;
          streamPaced(ws);
        }
        break;
      case 'bench.flood':
        flood(ws, event.repeats ?? 1);
        break;
      case 'bench.sink':
        sink = true;
        break;
      case 'bench.count':
        ws.send(JSON.stringify({ event_id: 'event_bench_count', type: 'bench.count', bytes: sinkBytes, messages: sinkMessages }));
        break;
      default:
        break;
    }
  });
  ws.on('error', () => {});
});
await new Promise<void>((resolve) => wss.once('listening', resolve));
const address = wss.address() as { port: number };

serveStats(
  () => wss.clients.size,
  () => ({ ...counters }),
);
toParent({
  type: 'ready',
  url: `ws://127.0.0.1:${address.port}/api-ws/v1/realtime`,
  reply: { frames: recorded.reply.length, bytes: replyBytes, durationMs: recorded.durationMs, audioDeltas: recorded.reply.filter((f) => f.includes('"response.audio.delta"')).length },
});
