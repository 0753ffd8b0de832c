/**
 * A server on 127.0.0.1 that is looser than DashScope in the ways issue 19 found in the Qwen team's
 * own test server (`integration-tests/fake-dashscope-server.ts` of QwenLM/Qwen-Live-Harness; the
 * shapes are re-created here, not copied): `session.created` without a `session`,
 * `session.updated` with only the session id, content events without `output_index` and
 * `content_index`, `response.audio.done` without `item_id`, function calls only as output items
 * and in `response.done.output`, and `session.finish` ignored.
 */
import { WebSocketServer, type WebSocket } from 'ws';

/** One scripted reply: an audio answer, or a function call announced only as output items. */
export type LooseReply = { kind: 'audio'; transcript: string; chunks: number } | { kind: 'call'; name: string; callId: string; arguments: string; copies?: number };

/** What the peer does and saw. */
export interface LoosePeer {
  readonly url: string;
  /** Frames received, per connection (parsed). */
  readonly frames: Array<Array<Record<string, unknown>>>;
  /** Close codes the peer saw, per connection (the client's close frame). */
  readonly closes: number[];
  /** Replies to the next `response.create`s, in order; when empty, a short audio answer. */
  readonly replies: LooseReply[];
  /** Sends `event` (an `event_id` is added) on the newest connection. */
  send(event: Record<string, unknown>): void;
  /** Resolves when a frame of `type` has arrived on the newest connection; event-driven, bounded by the caller. */
  frame(type: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** 20 ms of a 440 Hz tone at 24 kHz, base64 PCM16: one audio delta. */
const TONE = Buffer.from(Int16Array.from({ length: 480 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24_000))).buffer).toString('base64');

/** Starts the peer on a free port of 127.0.0.1. */
export async function startLoosePeer(): Promise<LoosePeer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const sockets: WebSocket[] = [];
  const waiters = new Set<{ type: string; resolve: (frame: Record<string, unknown>) => void }>();
  let seq = 0;
  const peer: LoosePeer = {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/api-ws/v1/realtime`,
    frames: [],
    closes: [],
    replies: [],
    send: (event) => sockets.at(-1)?.send(JSON.stringify({ event_id: `evt-${++seq}`, ...event })),
    frame: (type) =>
      new Promise((resolve) => {
        const seen = peer.frames.at(-1)?.find((f) => f.type === type);
        if (seen) resolve(seen);
        else waiters.add({ type, resolve });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close(() => resolve());
      }),
  };
  const reply = (r: LooseReply) => {
    const responseId = `resp-${++seq}`;
    peer.send({ type: 'response.created', response: { id: responseId, status: 'in_progress' } });
    if (r.kind === 'call') {
      const item = { id: `item-${r.callId}`, type: 'function_call', status: 'completed', name: r.name, call_id: r.callId, arguments: r.arguments };
      peer.send({ type: 'response.output_item.added', response_id: responseId, item: { ...item, status: 'in_progress' } });
      peer.send({ type: 'conversation.item.created', item });
      peer.send({ type: 'response.output_item.done', response_id: responseId, item });
      // `copies`: the same call under that many more call_ids, in response.done only (a flood).
      const flood = Array.from({ length: r.copies ?? 0 }, (_, i) => ({ ...item, id: `${item.id}-${i}`, call_id: `${r.callId}-${i}` }));
      peer.send({ type: 'response.done', response: { id: responseId, status: 'completed', output: [item, ...flood] } });
      return;
    }
    const item = { id: `item-${responseId}`, type: 'message', role: 'assistant', status: 'completed', content: [] };
    peer.send({ type: 'response.output_item.added', response_id: responseId, item });
    peer.send({ type: 'conversation.item.created', item });
    const words = r.transcript.split(/(?<= )/u);
    for (const delta of words) peer.send({ type: 'response.audio_transcript.delta', response_id: responseId, item_id: item.id, delta });
    for (let i = 0; i < r.chunks; i++) peer.send({ type: 'response.audio.delta', response_id: responseId, item_id: item.id, delta: TONE });
    peer.send({ type: 'response.audio_transcript.done', response_id: responseId, item_id: item.id, transcript: r.transcript });
    peer.send({ type: 'response.audio.done', response_id: responseId });
    peer.send({ type: 'response.done', response: { id: responseId, status: 'completed', output: [item] } });
  };
  wss.on('connection', (ws) => {
    sockets.push(ws);
    const frames: Array<Record<string, unknown>> = [];
    peer.frames.push(frames);
    ws.on('close', (code) => peer.closes.push(code));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      frames.push(frame);
      for (const w of [...waiters]) {
        if (w.type !== frame.type) continue;
        waiters.delete(w);
        w.resolve(frame);
      }
      if (frame.type === 'session.update') peer.send({ type: 'session.updated', session: { id: 'sess-loose' } });
      else if (frame.type === 'conversation.item.create') {
        const item = frame.item as Record<string, unknown>;
        peer.send({ type: 'conversation.item.created', item: { ...item, id: `item-${++seq}`, status: 'completed' } });
      } else if (frame.type === 'response.create') reply(peer.replies.shift() ?? { kind: 'audio', transcript: 'Hello there.', chunks: 3 });
      // session.finish: ignored, as that server does.
    });
    ws.send(JSON.stringify({ event_id: `evt-${++seq}`, type: 'session.created' }));
  });
  return peer;
}
