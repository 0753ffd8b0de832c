/**
 * A turn: the user's input and the model's whole answer to it, across tool calls. Its deltas
 * arrive as async iterables while it streams; `done` resolves with everything at the end and
 * never rejects (a failed turn has `status: 'failed'` and an `error`), so an application that
 * ignores it gets no unhandled rejection.
 */
import { EventQueue } from '../client/eventQueue.js';
import type { Redactor } from '../internal/redact.js';
import type { Usage } from '../protocol/items.js';
import type { ToolStatus } from './tools.js';

/** Latencies of a turn, in milliseconds from the end of the user's input. */
export interface TurnLatency {
  /** To `response.created`. */
  responseCreatedMs?: number;
  /** To the first text or transcript delta. */
  firstTextMs?: number;
  /** To the first audio delta. */
  firstAudioMs?: number;
}

/** A tool call made during the turn, with how it ran. */
export interface TurnToolCall {
  callId: string;
  name: string;
  arguments: string;
  /** The output sent (or, for `aborted`, not sent). */
  output?: string;
  /** How it ran; unset until it has run (or, in manual mode, until its output was submitted). */
  status?: ToolStatus;
}

/** The whole turn, once it ended. */
export interface TurnResult {
  /**
   * How it ended: `completed`; `interrupted` (barge-in or `interrupt()`, protocol.md §5.3);
   * `rejected` (semantic VAD did not accept the speech, no reply, §0.2.3); `failed` (see `error`).
   */
  status: 'completed' | 'interrupted' | 'rejected' | 'failed';
  /** Transcript of the spoken reply. */
  transcript: string;
  /** Text of a text-only reply. */
  text: string;
  /** Reply audio, PCM16 mono at `sampleRate`. */
  audio: Int16Array;
  /** Output sample rate. */
  sampleRate: number;
  /** Usage summed over the turn's responses. */
  usage: Usage;
  /** Latencies. */
  latency: TurnLatency;
  /** Response ids, in order (several when tools were called). */
  responseIds: string[];
  /** Tool calls made. */
  toolCalls: TurnToolCall[];
  /** Set when `status` is `failed`. */
  error?: Error;
}

function stream<T>(): EventQueue<T> {
  return new EventQueue<T>(Number.MAX_SAFE_INTEGER, Infinity, { onFull: () => true, onDrained: () => {}, onReturn: () => {} });
}

function addUsage(total: Usage, u: Usage): void {
  total.total_tokens += u.total_tokens ?? 0;
  total.input_tokens += u.input_tokens ?? 0;
  total.output_tokens += u.output_tokens ?? 0;
  for (const side of ['input_tokens_details', 'output_tokens_details'] as const) {
    const from = u[side];
    if (!from) continue;
    const to = (total[side] ??= {}) as Record<string, number>;
    for (const [k, v] of Object.entries(from)) if (typeof v === 'number') to[k] = (to[k] ?? 0) + v;
  }
}

/** One turn. */
export class Turn {
  /** PCM16 chunks of the reply audio as they arrive. */
  readonly audio: AsyncIterable<Int16Array>;
  /** Transcript deltas of the spoken reply. */
  readonly transcript: AsyncIterable<string>;
  /** Text deltas of a text-only reply. */
  readonly text: AsyncIterable<string>;
  /** Resolves when the turn ended; never rejects. */
  readonly done: Promise<TurnResult>;

  readonly #audio = stream<Int16Array>();
  readonly #transcript = stream<string>();
  readonly #text = stream<string>();
  readonly #chunks: Int16Array[] = [];
  readonly #result: TurnResult;
  #resolve!: (result: TurnResult) => void;
  #inputEnd = performance.now();
  #ended = false;

  constructor(sampleRate: number) {
    this.audio = this.#audio;
    this.transcript = this.#transcript;
    this.text = this.#text;
    this.#result = {
      status: 'completed',
      transcript: '',
      text: '',
      audio: new Int16Array(0),
      sampleRate,
      usage: { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
      latency: {},
      responseIds: [],
      toolCalls: [],
    };
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** True once the turn ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The result so far (complete once `ended`). */
  get result(): Readonly<TurnResult> {
    return this.#result;
  }

  /** Latencies are measured from now. */
  markInputEnd(at = performance.now()): void {
    this.#inputEnd = at;
  }

  /** @internal */
  responseCreated(id: string): void {
    this.#result.responseIds.push(id);
    this.#result.latency.responseCreatedMs ??= performance.now() - this.#inputEnd;
  }

  /** @internal */
  transcriptDelta(delta: string, textOnly: boolean, redactor?: Redactor): void {
    this.#result.latency.firstTextMs ??= performance.now() - this.#inputEnd;
    // Each delta was redacted alone; the accumulated text is checked where the delta joined it.
    const join = (whole: string) => (redactor ? redactor.appended(whole + delta, delta.length) : whole + delta);
    if (textOnly) {
      this.#result.text = join(this.#result.text);
      this.#text.push(delta);
    } else {
      this.#result.transcript = join(this.#result.transcript);
      this.#transcript.push(delta);
    }
  }

  /** @internal */
  audioDelta(pcm: Int16Array): void {
    this.#result.latency.firstAudioMs ??= performance.now() - this.#inputEnd;
    this.#chunks.push(pcm);
    this.#audio.push(pcm);
  }

  /** @internal */
  usage(usage: Usage): void {
    addUsage(this.#result.usage, usage);
  }

  /** @internal */
  toolCall(call: TurnToolCall): void {
    this.#result.toolCalls.push(call);
  }

  /** @internal Ends the turn. */
  end(status: TurnResult['status'], error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const audio = new Int16Array(total);
    let offset = 0;
    for (const c of this.#chunks) {
      audio.set(c, offset);
      offset += c.length;
    }
    this.#result.audio = audio;
    this.#result.status = status;
    if (error) this.#result.error = error;
    this.#audio.end();
    this.#transcript.end();
    this.#text.end();
    this.#resolve(this.#result);
  }
}
