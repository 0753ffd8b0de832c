/**
 * What `session.ask()` takes and how it goes on the wire: text as a user message item (§3.8,
 * §5.6), audio in 100 ms appends (§3.2) committed in Manual mode (§3.3) or followed by silence in
 * VAD mode so that the service ends the turn itself (§3.1.3, §5.2), images after the first audio
 * chunk (§3.5). With both in VAD mode the text goes first, so that one reply answers both.
 */
import { checkFormattedAudio, type AudioInput, type AudioInputFormat } from '../client/encodeInput.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { ValidationError } from '../errors.js';
import { newClientItemId } from '../protocol/ids.js';
import type { ConversationHistory } from './history.js';
import type { SessionMetrics } from './metrics.js';

/** Input of {@link RealtimeSession.ask}. */
export interface AskInput {
  text?: string;
  /** PCM16 at the session's input rate, or samples with their format. */
  audio?: Int16Array | { data: Int16Array | Float32Array; format: AudioInputFormat };
  /** JPEG frames, sent after the first audio chunk. */
  images?: Uint8Array[];
}

const CHUNK_MS = 100;
/** The service's default `silence_duration_ms` (§3.1.3), when the session echo has none. */
const DEFAULT_SILENCE_MS = 800;

/** `ask`'s input, checked: every mistake is a ValidationError that says what to pass, before anything is sent. */
export function checkAsk(input: unknown): AskInput {
  const ask = (typeof input === 'string' ? { text: input } : input) as AskInput;
  if (typeof ask !== 'object' || ask === null) throw new ValidationError('ask: pass a string, or { text, audio, images }.', 'ask(input)');
  if (ask.text !== undefined && (typeof ask.text !== 'string' || ask.text.trim() === '')) throw new ValidationError('ask: text must be a non-empty string.', 'ask(input.text)');
  if (!ask.text && !ask.audio) throw new ValidationError('ask: give text, audio or both.', 'ask(input)');
  if (ask.audio !== undefined) {
    const audio = ask.audio as unknown;
    if (audio instanceof Int16Array) {
      if (audio.length === 0) throw new ValidationError('ask: the audio is empty.', 'ask(input.audio)');
    } else {
      const { data, format } = (typeof audio === 'object' && audio !== null ? audio : {}) as { data?: unknown; format?: unknown };
      if (!(data instanceof Int16Array) && !(data instanceof Float32Array)) {
        throw new ValidationError('ask: audio must be an Int16Array at the session rate, or { data: Int16Array | Float32Array, format: { sampleRate, channels } }.', 'ask(input.audio)');
      }
      checkFormattedAudio(data, format as AudioInputFormat, 'ask(input.audio)');
    }
  }
  if (ask.images !== undefined) {
    if (!Array.isArray(ask.images) || ask.images.some((i) => !(i instanceof Uint8Array))) throw new ValidationError('ask: images must be an array of JPEG bytes (Uint8Array).', 'ask(input.images)');
    // Frames travel with the audio of the turn (§3.5); with text only they would be dropped unseen.
    if (ask.images.length > 0 && !ask.audio) throw new ValidationError('ask: images need audio in the same turn (the service takes frames only alongside audio, protocol.md §3.5).', 'ask(input.images)');
  }
  return ask;
}

/**
 * The silence appended after `ask({ audio })` in VAD mode, in ms: `configured` if set, else the
 * session's `silence_duration_ms` (800 when not echoed) plus 700 ms, at least 1500 ms. It must be
 * longer than `silence_duration_ms`, or the service never hears the end of the turn.
 */
export function trailingSilenceMs(client: RealtimeTransport, configured: number | undefined): number {
  if (configured !== undefined) return configured;
  const td = client.session?.turn_detection as { silence_duration_ms?: unknown } | null | undefined;
  const silence = typeof td?.silence_duration_ms === 'number' && Number.isFinite(td.silence_duration_ms) ? td.silence_duration_ms : DEFAULT_SILENCE_MS;
  return Math.max(1500, silence + 700);
}

/**
 * Sends `ask` on `client`. Returns true when the caller must request the response (Manual mode,
 * or text alone), false when the service answers by itself (audio in VAD mode, with any text
 * sent before it).
 */
export async function sendAsk(client: RealtimeTransport, ask: AskInput, history: ConversationHistory, metrics: SessionMetrics, silenceMs: number | undefined): Promise<boolean> {
  const vad = client.session?.turn_detection != null;
  const sendText = (text: string) => {
    const id = newClientItemId();
    history.noteUserText(id, text);
    client.send({ type: 'conversation.item.create', item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  };
  // In VAD mode the service answers the audio by itself (§5.2): text sent first is in the
  // conversation that reply answers. Sent after, it would need a second reply of its own.
  const textFirst = vad && ask.audio !== undefined && ask.text !== undefined;
  if (textFirst) sendText(ask.text!);
  if (ask.audio) {
    const rate = client.inputSampleRate;
    const { data, format } = ask.audio instanceof Int16Array ? { data: ask.audio, format: undefined } : ask.audio;
    const step = format ? Math.round((format.sampleRate * (format.channels ?? 1) * CHUNK_MS) / 1000) : Math.round((rate * CHUNK_MS) / 1000);
    for (let i = 0; i < data.length; i += step) {
      await client.appendAudio(data.subarray(i, i + step) as AudioInput, format);
      if (i === 0) for (const image of ask.images ?? []) {
        await client.appendImage(image);
        history.noteImage();
      }
    }
    const seconds = format ? data.length / (format.channels ?? 1) / format.sampleRate : data.length / rate;
    history.noteAudio(seconds * 1000);
    metrics.inputAudio(seconds);
    if (!vad) client.commitAudio();
    else {
      // The service ends the turn itself once it hears silence (§3.1.3, §5.2).
      const silence = trailingSilenceMs(client, silenceMs);
      const chunk = new Int16Array(Math.round((rate * CHUNK_MS) / 1000));
      for (let ms = 0; ms < silence; ms += CHUNK_MS) await client.appendAudio(chunk);
      return false;
    }
  }
  if (ask.text && !textFirst) sendText(ask.text);
  return true;
}
