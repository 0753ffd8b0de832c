/**
 * A realistic reply stream, recorded once from the embedded simulator: what a client receives
 * for one spoken answer in Manual mode (protocol.md §4.23 (a)): `input_audio_buffer.committed`,
 * the user item and its transcription, `response.created`, the item and part events, 152 audio
 * deltas of 100 ms of 24 kHz PCM16 (6,400 base64 characters each) with 40 transcript deltas
 * between them, and the `.done` events. The frames are kept exactly as the simulator wrote them.
 */
import { WebSocket } from 'ws';
import { startSimulator } from '../../src/simulator/index.js';

/** The answer the recorded reply speaks (about 15 s of audio). */
export const REPLY_TEXT =
  'Sure. Here is a short overview of the weather in Hangzhou for the coming days: mild mornings around fourteen degrees, ' +
  'sunny afternoons near twenty three, and a chance of light rain on Thursday evening, so keep an umbrella at hand.';

/** One recorded conversation turn. */
export interface RecordedStream {
  /** The `session.created` frame a connection starts with. */
  sessionCreated: string;
  /** The `session.updated` frame that answered Manual mode. */
  sessionUpdated: string;
  /** Every frame from `input_audio_buffer.committed` to `response.done`, in order. */
  reply: string[];
  /**
   * For each frame of `reply`, its offset in ms from the start of the reply when streamed at
   * real time: the simulator sends audio delta k at k × 100 ms with the transcript pieces that
   * fall within it just before it (§4.16, §4.17).
   */
  offsetsMs: number[];
  /** Length of the reply at real time (its audio), ms. */
  durationMs: number;
}

/** Records one reply from a simulator at speed 0 (as fast as possible). */
export async function recordReplyStream(): Promise<RecordedStream> {
  const sim = await startSimulator({ speed: 0, responder: () => ({ text: REPLY_TEXT }) });
  try {
    const ws = new WebSocket(`${sim.url}?model=qwen3.5-omni-plus-realtime`, { headers: { Authorization: 'Bearer bench' }, perMessageDeflate: false });
    const frames: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        const text = (data as Buffer).toString('utf8');
        frames.push(text);
        const type = (JSON.parse(text) as { type: string }).type;
        if (type === 'session.created') {
          ws.send(JSON.stringify({ type: 'session.update', session: { modalities: ['text', 'audio'], turn_detection: null } }));
        } else if (type === 'session.updated') {
          ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(32_000).toString('base64') }));
          ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
          ws.send(JSON.stringify({ type: 'response.create' }));
        } else if (type === 'response.done') {
          ws.close();
          resolve();
        } else if (type === 'error') {
          reject(new Error(`simulator error while recording: ${text}`));
        }
      });
    });
    const [sessionCreated, sessionUpdated, ...reply] = frames;
    const offsetsMs: number[] = [];
    let audioDeltas = 0;
    for (const frame of reply) {
      const isAudio = frame.includes('"type":"response.audio.delta"');
      offsetsMs.push(audioDeltas * 100);
      if (isAudio) audioDeltas++;
    }
    return { sessionCreated: sessionCreated!, sessionUpdated: sessionUpdated!, reply, offsetsMs, durationMs: audioDeltas * 100 };
  } finally {
    await sim.close();
  }
}
