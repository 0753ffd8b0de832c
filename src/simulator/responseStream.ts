/**
 * Streams the output of one response, between `response.created` and `response.done` (which the
 * scheduler sends): the item and part events in the documented order (§5.4, §4.23 (a)), audio
 * deltas of real synthesized sound in ~100 ms chunks at the configured rate and container with
 * the transcript deltas interleaved beside them in proportion (§4.16, §4.17), `response.text.*`
 * for text-only output (§4.15), or a function call and no audio (§4.18, §4.23 (c)).
 *
 * A cancel (client `response.cancel` or VAD barge-in, §5.3, §0.1.4) is synchronous: the pending
 * `.done` events go out at once with what was sent so far, the item ends `incomplete`, and the
 * streaming loop stops at its next step.
 */
import { newCallId, newServerId, type ConversationItem, type FunctionCallItem, type MessageItem } from '../protocol/index.js';
import { Pacer, Wake } from './pacer.js';
import type { ResponderReply } from './responder.js';
import { synthesizeSpeech } from './synthesizer.js';
import type { EventSink } from './outbox.js';
import { encodePcmBase64, wavHeader } from './wireAudio.js';

/** Where the stream's events go. */
export interface StreamSink extends EventSink {
  /** Sends `conversation.item.created` for an output item, in conversation order (§0.2.25). */
  announce(item: ConversationItem): void;
  /** Resolves when the socket can take more (backpressure). */
  drained(): Promise<void>;
}

/** What this response produces and how. */
export interface StreamSpec {
  responseId: string;
  modalities: ('text' | 'audio')[];
  voice: string;
  output: { type: 'pcm' | 'wav'; sampleRate: number };
  speed: number;
  chunkMs: number;
  textDeltaMs: number;
  firstOutputDelayMs: number;
}

/** A function call the model made. */
export interface MadeCall {
  callId: string;
  name: string;
  arguments: string;
}

/** How the response ended and what it produced. */
export interface StreamResult {
  status: 'completed' | 'cancelled';
  /** The whole reply text (kept whole in history even when interrupted, §5.3). */
  fullText: string;
  /** The text actually sent. */
  sentText: string;
  /** ms of audio actually sent. */
  audioMs: number;
  /** Function calls made (arguments as sent). */
  calls: MadeCall[];
  /** The output items with their final status, for `response.done.output`. */
  items: ConversationItem[];
}

/**
 * Splits `text` into the pieces of the deltas: words with their trailing space, and one CJK
 * character at a time. The pieces concatenate to `text`.
 */
export function splitForDeltas(text: string): string[] {
  return text.match(/\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}][^\S\n]*|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+\s*/gu) ?? [];
}

/** JSON the way Python's `json.dumps` spaces it (`{"a": 1, "b": [1, 2]}`), as in §4.18's examples. */
export function pythonStyleJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonStyleJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}: ${pythonStyleJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Streams one response; see the file comment. */
export class ResponseStream {
  private finished = false;
  private readonly wake = new Wake();
  private pacer: Pacer;
  private message: { item: MessageItem; kind: 'audio' | 'text'; sent: string; full: string } | null = null;
  private call: { item: FunctionCallItem; sentArgs: string } | null = null;
  private readonly items: ConversationItem[] = [];
  private readonly calls: MadeCall[] = [];
  private audioSamples = 0;
  private argsDone = false;

  constructor(
    private readonly spec: StreamSpec,
    private readonly sink: StreamSink,
    private readonly onFinished: (result: StreamResult) => void,
  ) {
    this.pacer = new Pacer(spec.speed);
  }

  /** `response.function_call_arguments.done` was sent: tool results may now be queued (§0.1.7). */
  get argumentsDone(): boolean {
    return this.argsDone;
  }

  /** Whether the stream has ended (completed, cancelled or abandoned). */
  get done(): boolean {
    return this.finished;
  }

  /** The function calls whose arguments are complete so far (a tool result may answer them, §0.1.7). */
  get madeCalls(): readonly MadeCall[] {
    return this.calls;
  }

  /**
   * Stops where it is without sending anything more: no `.done` events, no `response.done`
   * (a response superseded by the next one, §0.2.8). No-op once done.
   */
  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    this.wake.wake();
  }

  /** Streams `reply`; resolves when the stream has ended. */
  async run(reply: ResponderReply): Promise<void> {
    if (this.finished) return;
    await new Pacer(this.spec.speed).until(this.spec.firstOutputDelayMs, this.wake);
    if (this.finished) return;
    this.pacer = new Pacer(this.spec.speed); // offsets below count from the first output
    if (reply.toolCalls && reply.toolCalls.length > 0) await this.streamCalls(reply);
    else await this.streamMessage(reply);
    if (!this.finished) this.finish('completed');
  }

  /** Ends the response now, sending the pending `.done` events (§5.3). No-op once done. */
  cancel(): void {
    if (this.finished) return;
    const m = this.message;
    if (m) {
      this.closeMessage('incomplete');
    } else if (this.call) {
      this.call.item.arguments = this.call.sentArgs;
      this.closeCall('incomplete');
    }
    this.finish('cancelled');
  }

  private finish(status: StreamResult['status']): void {
    this.finished = true;
    this.wake.wake();
    const m = this.message;
    this.onFinished({
      status,
      fullText: m ? m.full : '',
      sentText: m ? m.sent : '',
      audioMs: (this.audioSamples * 1000) / this.spec.output.sampleRate,
      calls: this.calls,
      items: this.items,
    });
  }

  private base(itemId: string, outputIndex: number): { response_id: string; item_id: string; output_index: number; content_index: number } {
    return { response_id: this.spec.responseId, item_id: itemId, output_index: outputIndex, content_index: 0 };
  }

  private async streamCalls(reply: ResponderReply): Promise<void> {
    const calls = reply.toolCalls ?? [];
    for (let index = 0; index < calls.length && !this.finished; index++) {
      const c = calls[index]!;
      const raw = typeof c.arguments === 'string' ? c.arguments : pythonStyleJson(c.arguments);
      const args = ` ${raw.trimStart()}`; // a leading space, as in every official example (§4.18)
      const item: FunctionCallItem = { id: newServerId('item'), object: 'realtime.item', type: 'function_call', status: 'in_progress', call_id: newCallId(), name: c.name, arguments: '' };
      this.call = { item, sentArgs: '' };
      this.items.push(item);
      this.sink.emit('response.output_item.added', { response_id: this.spec.responseId, output_index: index, item: { ...item } });
      this.sink.announce({ ...item });
      const pieces = args.match(/[\s\S]{1,24}/g) ?? [args];
      for (let p = 0; p < pieces.length; p++) {
        await this.pacer.until((index * pieces.length + p) * this.spec.textDeltaMs, this.wake);
        if (this.finished) return;
        this.call.sentArgs += pieces[p];
        this.sink.emit('response.function_call_arguments.delta', { response_id: this.spec.responseId, item_id: item.id, output_index: index, call_id: item.call_id, delta: pieces[p]! });
      }
      item.arguments = args;
      this.sink.emit('response.function_call_arguments.done', { response_id: this.spec.responseId, item_id: item.id, output_index: index, call_id: item.call_id, name: item.name, arguments: args });
      this.argsDone = true;
      this.calls.push({ callId: item.call_id, name: item.name, arguments: args });
      // The response takes a moment to finish after its arguments; tool results sent in that
      // window are queued behind it (§0.1.7).
      await this.pacer.until((index * pieces.length + pieces.length) * this.spec.textDeltaMs, this.wake);
      if (this.finished) return;
      this.closeCall('completed');
    }
  }

  private closeCall(status: 'completed' | 'incomplete'): void {
    const c = this.call!;
    c.item.status = status;
    const index = this.items.indexOf(c.item);
    this.sink.emit('response.output_item.done', { response_id: this.spec.responseId, output_index: index, item: { ...c.item } });
    this.call = null;
  }

  private async streamMessage(reply: ResponderReply): Promise<void> {
    const text = typeof reply.text === 'string' ? reply.text : '';
    const kind = this.spec.modalities.includes('audio') ? 'audio' : 'text';
    const item: MessageItem = { id: newServerId('item'), object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    this.message = { item, kind, sent: '', full: text };
    this.items.push(item);
    this.sink.emit('response.output_item.added', { response_id: this.spec.responseId, output_index: 0, item: { ...item, content: [] } });
    this.sink.announce({ ...item, content: [] });
    this.sink.emit('response.content_part.added', { ...this.base(item.id, 0), part: { type: kind, text: '' } });
    if (kind === 'audio') await this.streamAudio(text, reply.audio);
    else await this.streamText(text);
    if (!this.finished) this.closeMessage('completed');
  }

  private sendText(piece: string): void {
    const m = this.message!;
    m.sent += piece;
    const type = m.kind === 'audio' ? 'response.audio_transcript.delta' : 'response.text.delta';
    this.sink.emit(type, { ...this.base(m.item.id, 0), delta: piece });
  }

  private async streamText(text: string): Promise<void> {
    const pieces = splitForDeltas(text);
    for (let i = 0; i < pieces.length; i++) {
      await this.pacer.until(i * this.spec.textDeltaMs, this.wake);
      if (this.finished) return;
      this.sendText(pieces[i]!);
      await this.sink.drained();
    }
  }

  private async streamAudio(text: string, given: Int16Array | undefined): Promise<void> {
    const { sampleRate, type } = this.spec.output;
    const pcm = given instanceof Int16Array ? given : synthesizeSpeech(text, sampleRate, { voice: this.spec.voice });
    const pieces = splitForDeltas(text);
    const totalChars = Math.max(1, text.length);
    const durationMs = (pcm.length * 1000) / sampleRate;
    const chunk = Math.max(1, Math.round((sampleRate * this.spec.chunkMs) / 1000));
    let next = 0; // next transcript piece
    let charsBefore = 0;
    const itemId = this.message!.item.id;
    for (let at = 0, i = 0; at < pcm.length; at += chunk, i++) {
      await this.pacer.until(i * this.spec.chunkMs, this.wake);
      if (this.finished) return;
      const endMs = ((at + chunk) * 1000) / sampleRate;
      // Transcript pieces whose place in the audio starts within this chunk go out beside it.
      while (next < pieces.length && (charsBefore / totalChars) * durationMs < endMs) {
        this.sendText(pieces[next]!);
        charsBefore += pieces[next]!.length;
        next++;
      }
      const samples = pcm.subarray(at, Math.min(pcm.length, at + chunk));
      const header = at === 0 && type === 'wav' ? wavHeader(sampleRate, pcm.length * 2) : undefined;
      this.audioSamples += samples.length;
      this.sink.emit('response.audio.delta', { ...this.base(itemId, 0), delta: encodePcmBase64(samples, header) });
      await this.sink.drained();
    }
    while (!this.finished && next < pieces.length) this.sendText(pieces[next++]!);
  }

  private closeMessage(status: 'completed' | 'incomplete'): void {
    const m = this.message!;
    const base = this.base(m.item.id, 0);
    const text = m.sent;
    if (m.kind === 'audio') {
      // transcript.done before audio.done, as the docs' tables list them (§5.4).
      this.sink.emit('response.audio_transcript.done', { ...base, transcript: text });
      this.sink.emit('response.audio.done', base);
      this.sink.emit('response.content_part.done', { ...base, part: { type: 'audio', text } });
      // Both keys for audio parts: `transcript` and `text` (§4.20, §8.11).
      m.item.content = [{ type: 'audio', transcript: text, text }];
    } else {
      this.sink.emit('response.text.done', { ...base, text });
      this.sink.emit('response.content_part.done', { ...base, part: { type: 'text', text } });
      m.item.content = [{ type: 'text', text }];
    }
    m.item.status = status;
    this.sink.emit('response.output_item.done', { response_id: this.spec.responseId, output_index: 0, item: { ...m.item } });
  }
}
