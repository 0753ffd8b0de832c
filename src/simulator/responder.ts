/**
 * What the simulated model says. The simulator core builds a {@link ResponderTurn} for every
 * response (protocol.md §3.6 `response.create`, or automatically after `speech_stopped` in VAD
 * mode, §5.2) and streams the {@link ResponderReply} back as text/audio deltas, or as a function
 * call with no audio at all when `toolCalls` is set (§3.1.4, §4.23 (c)).
 *
 * The simulator has no language model and no ASR: {@link defaultResponder} describes what it
 * received, deterministically, so tests can assert on it; {@link scriptedResponder} plays a
 * script; users may pass any function of their own.
 */
import type { ModelInfo } from '../protocol/index.js';
import { RealtimeError } from '../errors.js';
import { SpeechDetector } from './speechDetector.js';
import { buildToolArguments, clip, matchTool } from './toolMatching.js';

export { buildToolArguments } from './toolMatching.js';

/** An image committed with the turn (`input_image_buffer.append`, §3.5, §5.5). */
export interface ResponderImage {
  /** Detected container. */
  format: 'jpeg' | 'png';
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Decoded size in bytes. */
  bytes: number;
  /** Position on the session audio timeline when it arrived (§5.5). */
  atMs: number;
}

/** A declared function tool, normalised from both wire shapes (§0.1.8, §3.1.4). */
export interface ResponderTool {
  /** Function name. */
  name: string;
  /** Description for the model. */
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** A `function_call_output` item received since the last response (§3.8, §4.23 (c)). */
export interface ResponderToolOutput {
  /** `call_id` the output answers. */
  callId: string;
  /** Name of the called function, when the core knows the call. */
  name?: string;
  /** The output string as sent by the client. */
  output: string;
}

/** One earlier turn of the conversation, as the core remembers it (§5.9). */
export interface ResponderHistoryEntry {
  /** Who produced it. */
  role: 'user' | 'assistant' | 'tool';
  /** Its text (transcript, input text, reply text or tool output). */
  text: string;
}

/** Everything the simulated model knows when it answers. */
export interface ResponderTurn {
  /** Catalog entry of the session's model. */
  model: ModelInfo;
  /** Session or per-response `instructions`. */
  instructions?: string;
  /** Output modalities of this response (§5.8). */
  modalities: ('text' | 'audio')[];
  /** ms of user audio in this turn (0 for a text turn). */
  audioMs: number;
  /** What the transcriber produced for that audio, if enabled (§4.10). */
  transcript: string | null;
  /** User text from `conversation.item.create` `input_text` items since the last response (§5.6). */
  text: string | null;
  /** Images committed with this turn. */
  images: ResponderImage[];
  /** Declared function tools. */
  tools: ResponderTool[];
  /** `function_call_output` items received since the last response. */
  toolOutputs: ResponderToolOutput[];
  /** Earlier turns, oldest first. */
  history: ResponderHistoryEntry[];
  /** 0 for the first response of the session. */
  responseIndex: number;
}

/** A function call the model makes instead of speaking (§4.18). */
export interface ResponderToolCall {
  /** Name of a declared tool. */
  name: string;
  /** Arguments: a JSON string as sent on the wire, or an object the core serialises. */
  arguments: string | Record<string, unknown>;
}

/** The simulated model's answer. */
export interface ResponderReply {
  /** Reply text (transcript of the audio, or the text output). */
  text: string;
  /** Function calls; when present the core sends only the calls, no audio (§3.1.4). */
  toolCalls?: ResponderToolCall[];
  /** PCM16 mono at the output rate; default: synthesized from `text`. */
  audio?: Int16Array;
}

/** Produces the reply for one turn; may be async. */
export type Responder = (turn: ResponderTurn) => ResponderReply | Promise<ResponderReply>;

/** Thrown by a {@link scriptedResponder} with `whenExhausted: 'error'` once its script is used up. */
export class ScriptExhaustedError extends RealtimeError {
  /** How many entries the script had. */
  readonly turns: number;
  constructor(turns: number) {
    super(`scriptedResponder: the script has ${turns} turn(s) and all were used`, 'script_exhausted');
    this.turns = turns;
  }
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A transcript made by {@link describeAudio} (or any "(…)" placeholder) carries no words. */
function isPlaceholder(transcript: string): boolean {
  return /^\(.*\)$/su.test(transcript.trim());
}


/**
 * The default simulated model: deterministic, and it says what it received ("I heard 2.4
 * seconds of audio and saw 1 image (640×480). You said: …"). With `toolOutputs` it reports them
 * ("The get_current_weather tool says: …"). When the user's text or transcript asks for a
 * declared tool (names it, or asks for what it does: the rule of `toolMatching.ts`) and no tool
 * output has arrived, it calls that tool instead (one call; no audio, §3.1.4), on models that
 * support tools (§2.1). Placeholder transcripts ("(speech, 1.8 s)") carry no words: give the
 * simulator a `transcribe` function, or script the turn, to make audio turns call tools.
 */
export const defaultResponder: Responder = (turn) => {
  const said = [turn.text, turn.transcript !== null && !isPlaceholder(turn.transcript) ? turn.transcript : null]
    .filter((s): s is string => s !== null && s.trim() !== '')
    .join(' ');
  if (turn.toolOutputs.length > 0) {
    const parts = turn.toolOutputs.map((o) => `${o.name ? `The ${o.name} tool` : `Tool call ${o.callId}`} says: ${clip(o.output)}`);
    return { text: parts.join(' ') };
  }
  if (turn.model.tools && said !== '') {
    const tool = matchTool(turn.tools, said);
    if (tool) return { text: '', toolCalls: [{ name: tool.name, arguments: buildToolArguments(tool, said) }] };
  }
  const received: string[] = [];
  if (turn.audioMs > 0) received.push(`heard ${seconds(turn.audioMs)} seconds of audio`);
  if (turn.images.length > 0) {
    const sizes = turn.images.map((i) => `${i.width}×${i.height}`).join(', ');
    received.push(`saw ${plural(turn.images.length, 'image')} (${sizes})`);
  }
  const sentences: string[] = [];
  if (received.length > 0) sentences.push(`I ${received.join(' and ')}.`);
  const spoken = turn.transcript !== null && turn.transcript.trim() !== '' && !isPlaceholder(turn.transcript) ? turn.transcript : null;
  const written = turn.text !== null && turn.text.trim() !== '' ? turn.text : null;
  if (spoken !== null) sentences.push(`You said: ${clip(spoken)}`);
  if (written !== null) sentences.push(`${spoken === null ? 'You said' : 'You wrote'}: ${clip(written)}`);
  if (sentences.length === 0) sentences.push(turn.responseIndex === 0 ? 'Hello! How can I help you?' : 'I am still here. How can I help?');
  return { text: sentences.join(' ') };
};

/**
 * A responder that plays `turns` in order, one per response (counted per responder, across
 * sessions and reconnects). An entry may be a reply or a function of the turn. When the script
 * is used up: `'repeat-last'` (default) repeats the last entry, `'default'` falls back to
 * {@link defaultResponder}, `'error'` throws {@link ScriptExhaustedError}. An empty script
 * behaves as `'default'` unless `'error'` is asked for.
 */
export function scriptedResponder(
  turns: Array<ResponderReply | ((turn: ResponderTurn) => ResponderReply)>,
  options: { whenExhausted?: 'repeat-last' | 'default' | 'error' } = {},
): Responder {
  const script = [...turns];
  const when = options.whenExhausted ?? 'repeat-last';
  let next = 0;
  return (turn) => {
    let entry = script[next];
    if (entry !== undefined) next++;
    else if (when === 'error') throw new ScriptExhaustedError(script.length);
    else if (when === 'repeat-last') entry = script[script.length - 1];
    if (entry === undefined) return defaultResponder(turn);
    return typeof entry === 'function' ? entry(turn) : entry;
  };
}

/**
 * The default transcriber (§4.10): the simulator cannot recognise words, so it returns a
 * deterministic placeholder — "(speech, 1.8 s)" with the span from the first detected speech to
 * the end of the last, "(silence, 2.0 s)" when nothing sounds like speech, "(no audio)" for none.
 * Detection uses a sensitive threshold (0) so quiet speakers are still described as speech.
 */
export function describeAudio(audio: Int16Array, sampleRate: number): string {
  if (audio.length === 0 || !(sampleRate > 0)) return '(no audio)';
  const detector = new SpeechDetector({ sampleRate, threshold: 0, silenceDurationMs: 200 });
  let first = -1;
  let last = -1;
  for (const b of [...detector.push(audio), ...detector.push(new Int16Array(Math.ceil(sampleRate * 0.25)))]) {
    if (b.type === 'start' && first < 0) first = b.audioStartMs;
    if (b.type === 'stop') last = b.audioEndMs;
  }
  if (first < 0) return `(silence, ${seconds((audio.length * 1000) / sampleRate)} s)`;
  const end = last < 0 ? (audio.length * 1000) / sampleRate : last;
  return `(speech, ${seconds(end - first)} s)`;
}
