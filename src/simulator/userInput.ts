/**
 * The user side of one session: `input_audio_buffer.append/commit/clear` and
 * `input_image_buffer.append` (§3.2 to §3.5), the VAD events and automatic commit (§4.4 to
 * §4.6, §5.2), the user item (§4.8) and input transcription (§4.9 to §4.11). What a commit
 * produces waits in {@link UserInput.pending} until a response takes it.
 *
 * Under `semantic_vad` three live behaviours differ from `server_vad` (§0.2.3 to §0.2.5, §0.2.28):
 * the user item is announced at `speech_started`, a speech candidate shorter than
 * `semanticMinSpeechMs` is discarded with a non-fatal `error`, and (as an option) the final
 * transcription waits until the turn's response has ended.
 */
import { imageTokens, type InputAudioBufferAppendEvent, type InputImageBufferAppendEvent, type ModelInfo } from '../protocol/index.js';
import type { Conversation, HistoryEntry } from './conversation.js';
import type { ConversationOrder } from './conversationOrder.js';
import { errorText, invalidRequest, LIVE_TEXTS } from './errors.js';
import { detectImage, sniffImageFormat } from '../audio/image.js';
import { InputBuffer, type AudioTurn, type VadSettings } from './inputBuffer.js';
import type { ResolvedOptions } from './options.js';
import type { Outbox } from './outbox.js';
import type { PendingInput } from './responseScheduler.js';
import type { SessionState } from './sessionState.js';
import { decodeBase64Strict, monoPcm16, stripWavHeader } from './wireAudio.js';

/** What the session logic hears from the user side. */
export interface UserInputHooks {
  /** VAD heard speech start (barge-in, §5.3). */
  speechStarted(): void;
  /** VAD heard the end of a turn (`speech_stopped` was just sent). */
  speechStopped(): void;
  /** VAD committed a turn by itself (§5.2): time to respond if `create_response`. */
  vadCommitted(): void;
  /** `ms` of audio was appended; `speaking` tells whether VAD is inside speech (idle_timeout_ms, §3.1.3). */
  audioAppended(ms: number, speaking: boolean): void;
}

type Transcriber = (audio: Int16Array, sampleRate: number) => string | Promise<string>;

function emptyInput(): PendingInput {
  return { audioMs: 0, transcripts: [], texts: [], images: [], toolOutputs: [], historyEntries: 0 };
}

/** The user side of one session. */
export class UserInput {
  private readonly buffer: InputBuffer;
  private input: PendingInput = emptyInput();
  private deferred: Array<() => void> = [];
  private started = false;
  private readonly transcriptions = new Set<Promise<unknown>>();
  /** Semantic VAD: the speech in progress (its user item may already be announced, §0.2.28). */
  private candidate: { itemId: string; startMs: number; announced: boolean } | null = null;
  /** Semantic VAD, `semanticRejectAt: 'response.create'`: a committed turn whose response is to be refused (§0.2.3). */
  private rejected = false;
  /** Semantic VAD, `semanticLateTranscription`: final transcriptions held until the response ends (§0.2.5). */
  private late: Array<() => void> = [];

  constructor(
    private readonly model: ModelInfo,
    private readonly options: ResolvedOptions,
    private readonly state: SessionState,
    private readonly conversation: Conversation,
    private readonly out: Outbox,
    private readonly order: ConversationOrder,
    private readonly transcribe: Transcriber,
    private readonly hooks: UserInputHooks,
  ) {
    this.buffer = new InputBuffer({ maxBufferedMs: options.maxBufferedAudioMs, maxImages: options.maxImagesPerTurn, progressMs: options.transcriptionDeltaMs });
    this.configure();
  }

  /** Audio has been appended at least once (formats are then fixed, §3.1.2). */
  get audioStarted(): boolean {
    return this.started;
  }

  /** VAD is inside speech. */
  get speaking(): boolean {
    return this.buffer.speaking;
  }

  /** Applies the session's input format and turn detection to the buffer. */
  configure(): void {
    const td = this.state.turnDetection;
    const vad: VadSettings | null = td
      ? { threshold: td.threshold ?? 0.5, prefixPaddingMs: td.prefix_padding_ms ?? 300, silenceDurationMs: td.silence_duration_ms ?? 800 }
      : null;
    this.buffer.configure(this.state.input.sampleRate, vad);
  }

  /** The pending input; the session adds text items and tool outputs to it (§3.8). */
  get pending(): PendingInput {
    this.bound();
    return this.input;
  }

  /**
   * Input piling up without a response (many commits or items and no `response.create`) is kept
   * to the newest `maxHistoryEntries` of each kind: memory stays bounded, as the history is.
   */
  private bound(): void {
    const max = this.options.maxHistoryEntries;
    const p = this.input;
    for (const list of [p.transcripts, p.texts, p.images, p.toolOutputs] as unknown[][]) {
      if (list.length > max) list.splice(0, list.length - max);
    }
    if (this.deferred.length > max) this.flushDeferred();
  }

  /** Takes the pending input for a response. */
  takeInput(): PendingInput {
    const taken = this.input;
    this.input = emptyInput();
    return taken;
  }

  /** Resolves once every running transcription has finished (before `session.finished`, §3.9). */
  async settled(): Promise<void> {
    while (this.transcriptions.size > 0) await Promise.allSettled([...this.transcriptions]);
  }

  /** Sends the final transcriptions held back by `semanticLateTranscription` (a response has ended, §0.2.5). */
  flushLate(): void {
    const list = this.late;
    this.late = [];
    for (const send of list) send();
  }

  private get semantic(): boolean {
    return this.state.turnDetection?.type === 'semantic_vad';
  }

  /**
   * Semantic VAD, `semanticRejectAt: 'response.create'`: whether the committed turn's response is
   * to be refused (§0.2.3); answering true consumes the rejection and drops the turn's input.
   */
  takeRejection(): boolean {
    if (!this.rejected) return false;
    this.rejected = false;
    this.takeInput();
    return true;
  }

  /** Manual mode, `manualUserItemAt: 'response.create'`: sends the deferred user items now (§0.1.9). */
  flushDeferred(): void {
    const list = this.deferred;
    this.deferred = [];
    for (const send of list) send();
  }

  /** `input_audio_buffer.append` (§3.2). */
  append(event: InputAudioBufferAppendEvent, eventId: string): void {
    const t = this.options.errorTexts;
    let bytes = decodeBase64Strict(event.audio);
    if (bytes === null) return this.out.error(invalidRequest(errorText('invalidBase64', t, { param: 'audio' }), { param: 'audio', eventId }));
    const { type, sampleRate, channels } = this.state.input;
    if (type === 'wav') bytes = stripWavHeader(bytes);
    const frame = 2 * Math.max(1, channels);
    if (bytes.length % frame !== 0) {
      return this.out.error(invalidRequest(errorText('oddPcm', t, { bytes: bytes.length, frame }), { param: 'audio', eventId }));
    }
    const pcm = monoPcm16(bytes, channels);
    const events = this.buffer.append(pcm);
    if (events === 'full') {
      return this.out.error(invalidRequest(errorText('bufferFull', t, { limit: this.options.maxBufferedAudioMs }), { param: 'audio', eventId }));
    }
    if (pcm.length > 0) this.started = true;
    for (const e of events) {
      if (e.type === 'speech_started') {
        this.out.emit('input_audio_buffer.speech_started', { audio_start_ms: e.audioStartMs, item_id: e.itemId });
        this.hooks.speechStarted();
        const early = this.semantic && this.options.semanticUserItemAt === 'speech_started';
        this.candidate = { itemId: e.itemId, startMs: e.audioStartMs, announced: early };
        if (early) this.announceUserItem(e.itemId); // §0.2.4, §0.2.28: not a commit signal
      } else if (e.type === 'speech_progress') {
        this.liveTranscript(e.itemId, e.audio, sampleRate);
      } else {
        const candidate = this.candidate;
        this.candidate = null;
        const tooShort = this.semantic && candidate !== null && e.audioEndMs - candidate.startMs < this.options.semanticMinSpeechMs;
        if (tooShort && this.options.semanticRejectAt === 'speech_stopped') {
          // §0.2.3: too short to be a turn; the candidate is discarded, the session goes on.
          this.out.error({ type: 'invalid_request_error', message: LIVE_TEXTS.semanticRejected });
          continue;
        }
        this.rejected = tooShort;
        this.out.emit('input_audio_buffer.speech_stopped', { audio_end_ms: e.audioEndMs, item_id: e.itemId });
        this.hooks.speechStopped();
        if (this.out.closed) return;
        this.commitTurn(e.turn, true, candidate?.announced === true);
        this.hooks.vadCommitted();
      }
    }
    this.hooks.audioAppended((pcm.length * 1000) / sampleRate, this.buffer.speaking);
  }

  /** `input_audio_buffer.commit` (§3.3). */
  commit(eventId: string): void {
    const t = this.options.errorTexts;
    if (!this.state.manual) {
      // §8.8: the sources disagree on a commit with VAD on.
      if (this.options.commitInVadMode === 'ignore') return;
      if (this.options.commitInVadMode === 'error') return this.out.error(invalidRequest(errorText('commitInVad', t), { eventId }));
    }
    const turn = this.buffer.commit();
    if (turn === null) return this.out.error(invalidRequest(errorText('emptyCommit', t), { eventId }));
    const announced = this.candidate?.itemId === turn.itemId && this.candidate.announced;
    this.candidate = null;
    this.commitTurn(turn, false, announced);
  }

  /** `input_audio_buffer.clear` (§3.4); it also drops pending images ([UNK], as the 3P client assumes). */
  clear(): void {
    this.buffer.clear();
    this.candidate = null;
    this.out.emit('input_audio_buffer.cleared', {});
  }

  /** `input_image_buffer.append` (§3.5, §5.5). */
  appendImage(event: InputImageBufferAppendEvent, eventId: string): void {
    const t = this.options.errorTexts;
    const o = this.options;
    if (!this.model.imageInput && !o.imagesOnAudioOnlyModels) {
      return this.out.error(invalidRequest(errorText('imageUnsupported', t, { model: this.model.id }), { param: 'image', eventId }));
    }
    if (!this.buffer.hasAudio) {
      // Without `code` (§0.2.14): the `code: ""` shape of §4.1 is the QUIC SDK's, and the Qwen
      // team's client treats any code but absent or `invalid_request_error` as fatal.
      return this.out.error({ type: 'invalid_request_error', message: LIVE_TEXTS.imageBeforeAudio, event_id: eventId });
    }
    if (event.image.length > o.maxImageBase64Bytes) {
      return this.out.error(invalidRequest(errorText('imageTooLarge', t, { size: event.image.length, limit: o.maxImageBase64Bytes }), { param: 'image', eventId }));
    }
    const bytes = decodeBase64Strict(event.image);
    if (bytes === null) return this.out.error(invalidRequest(errorText('invalidBase64', t, { param: 'image' }), { param: 'image', eventId }));
    // A JPEG whose size cannot be read is still a JPEG to the service; it counts as the minimum.
    const sniffed = sniffImageFormat(bytes);
    const probe = detectImage(bytes) ?? (sniffed === 'jpeg' || sniffed === 'png' ? { format: sniffed, width: 0, height: 0 } : null);
    if (probe === null || (probe.format === 'png' && !o.acceptPng)) {
      return this.out.error(invalidRequest(errorText('imageNotJpeg', t), { param: 'image', eventId }));
    }
    if (this.buffer.addImage({ format: probe.format, width: probe.width, height: probe.height, bytes: bytes.length }) === 'too-many') {
      this.out.error(invalidRequest(errorText('tooManyImages', t, { limit: o.maxImagesPerTurn }), { param: 'image', eventId }));
    }
  }

  private announceUserItem(itemId: string): void {
    this.order.created({ id: itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'user', content: [{ type: 'input_audio' }] });
  }

  /**
   * A turn leaves the buffer: `committed`, the user item (unless `announced` at
   * `speech_started`), transcription (§4.6, §4.8, §4.10).
   */
  private commitTurn(turn: AudioTurn, byVad: boolean, announced: boolean): void {
    const { sampleRate, channels } = this.state.input;
    this.out.emit('input_audio_buffer.committed', { item_id: turn.itemId });
    const entry: HistoryEntry = {
      role: 'user',
      text: '',
      billText: false,
      audioMs: turn.audioMs,
      audioFactor: channels > 1 ? 2 : 1, // multichannel bills 2× (§2.6)
      imageTokens: turn.images.map((i) => imageTokens(i.width, i.height, this.model.tokens)),
    };
    this.conversation.add(entry);
    this.bound();
    this.input.audioMs += turn.audioMs;
    this.input.images.push(...turn.images);
    this.input.historyEntries++;
    const transcribing = this.state.transcription && (byVad || this.options.transcriptionInManualMode);
    let transcript: string | null | Promise<string | null> = null;
    const sends: Array<() => void> = announced ? [] : [() => this.announceUserItem(turn.itemId)];
    if (transcribing) {
      const result = this.runTranscriber(turn.audio, sampleRate);
      const lateFinal = byVad && this.semantic && this.options.semanticLateTranscription;
      const sendCompleted = (text: string) => this.out.emit('conversation.item.input_audio_transcription.completed', { item_id: turn.itemId, content_index: 0, transcript: text });
      const completed = (text: string) => (lateFinal ? () => this.holdLate(() => sendCompleted(text)) : () => sendCompleted(text));
      const failed = (message: string) => () =>
        this.out.emit('conversation.item.input_audio_transcription.failed', { item_id: turn.itemId, content_index: 0, error: { code: 'transcription_failed', message, param: '' } });
      if (typeof result === 'string') {
        entry.text = result;
        transcript = result;
        sends.push(completed(result));
      } else if (result instanceof Error) {
        sends.push(failed(result.message));
      } else {
        let ready = false;
        let late: (() => void) | null = null;
        const whenDone = (send: () => void) => {
          if (ready) send();
          else late = send;
        };
        transcript = result.then(
          (text) => {
            entry.text = text;
            whenDone(completed(text));
            return text;
          },
          (error: unknown) => {
            whenDone(failed(error instanceof Error ? error.message : String(error)));
            return null;
          },
        );
        this.track(transcript);
        // The completion goes out after the user item, however fast the transcriber is.
        sends.push(() => {
          ready = true;
          const l = late as (() => void) | null;
          if (l) l();
        });
      }
    }
    this.input.transcripts.push(transcript);
    const sendAll = () => {
      for (const s of sends) s();
    };
    if (!byVad && this.options.manualUserItemAt === 'response.create') this.deferred.push(sendAll);
    else sendAll();
  }

  /** Holds a final transcription until the next response ends; bounded (oldest sent first). */
  private holdLate(send: () => void): void {
    this.late.push(send);
    if (this.late.length > 64) this.late.shift()!();
  }

  private runTranscriber(audio: Int16Array, sampleRate: number): string | Promise<string> | Error {
    try {
      const r = this.transcribe(audio, sampleRate);
      return typeof r === 'string' || r instanceof Promise ? r : String(r);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private track(p: Promise<unknown>): void {
    this.transcriptions.add(p);
    void p.finally(() => this.transcriptions.delete(p));
  }

  /** Live transcription while the user speaks (§4.9): `text` confirmed (none yet), `stash` provisional. */
  private liveTranscript(itemId: string, audio: Int16Array, sampleRate: number): void {
    if (!this.state.transcription) return;
    const r = this.runTranscriber(audio, sampleRate);
    if (typeof r === 'string') {
      this.out.emit('conversation.item.input_audio_transcription.delta', { item_id: itemId, content_index: 0, text: '', stash: r, language: 'en', emotion: 'neutral' });
    } else if (r instanceof Promise) {
      r.catch(() => {}); // live previews of an async transcriber are skipped
    }
  }
}
