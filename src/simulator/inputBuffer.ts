/**
 * The input audio buffer and image buffer of one session (§3.2 to §3.5), and the VAD wiring of
 * §5.2: in VAD mode every appended chunk goes through the {@link SpeechDetector}, configured from
 * `turn_detection` (§3.1.3); its boundaries become `speech_started` / `speech_stopped` and the
 * automatic commit (§4.4 to §4.6).
 *
 * Memory is bounded: outside speech, VAD mode keeps only `prefix_padding_ms` (plus a margin for
 * the detector's onset delay); uncommitted audio is capped at `maxBufferedMs`; images are kept as
 * metadata only, at most `maxImages` per turn.
 */
import { concatPcm16 } from '../audio/pcm.js';
import { newServerId } from '../protocol/index.js';
import type { ResponderImage } from './responder.js';
import { SpeechDetector } from './speechDetector.js';

/** VAD settings taken from `session.turn_detection` (§3.1.3). */
export interface VadSettings {
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

/** A user audio turn taken from the buffer (by a commit or by VAD). */
export interface AudioTurn {
  /** Id of the user item (announced by `speech_started` in VAD mode). */
  itemId: string;
  /** Mono PCM16 at the input rate. */
  audio: Int16Array;
  /** Duration in ms. */
  audioMs: number;
  /** Images committed with the audio (§3.5, §5.5). */
  images: ResponderImage[];
}

/** What an append produced, in order. */
export type BufferEvent =
  | { type: 'speech_started'; audioStartMs: number; itemId: string }
  | { type: 'speech_stopped'; audioEndMs: number; itemId: string; turn: AudioTurn }
  /** Speech still going on: the audio so far, for live transcription (§4.9). */
  | { type: 'speech_progress'; itemId: string; audio: Int16Array };

const ONSET_MARGIN_MS = 500;
const MAX_PROGRESS_SPEECH_MS = 60_000;

/** The audio and image buffer of one session, with VAD. */
export class InputBuffer {
  private rate = 16000;
  private vad: VadSettings | null = null;
  private detector: SpeechDetector | null = null;
  private detectorOffset = 0; // absolute sample index where the detector started
  private chunks: Int16Array[] = [];
  private buffered = 0; // samples in `chunks`
  private bufferStart = 0; // absolute sample index of chunks[0][0]
  private total = 0; // samples appended this session (the audio timeline)
  private images: ResponderImage[] = [];
  private appended = false;
  private speech: { itemId: string; turnStart: number; nextProgress: number } | null = null;

  constructor(private readonly limits: { maxBufferedMs: number; maxImages: number; progressMs: number }) {}

  /**
   * Applies the session's input rate and VAD settings. A change of VAD settings starts a new
   * detector on the same timeline; a running speech turn is dropped.
   */
  configure(sampleRate: number, vad: VadSettings | null): void {
    const changed = sampleRate !== this.rate || JSON.stringify(vad) !== JSON.stringify(this.vad);
    if (!changed) return;
    this.rate = sampleRate;
    this.vad = vad;
    this.speech = null;
    this.detectorOffset = this.total;
    this.detector = vad ? new SpeechDetector({ sampleRate, threshold: vad.threshold, prefixPaddingMs: vad.prefixPaddingMs, silenceDurationMs: vad.silenceDurationMs }) : null;
  }

  /** ms of audio appended in this session: the timeline of `audio_start_ms` (§4.4). */
  get timelineMs(): number {
    return Math.round((this.total * 1000) / this.rate);
  }

  /** Audio was appended since the last commit or clear (the image rule of §3.5). */
  get hasAudio(): boolean {
    return this.appended;
  }

  /** VAD heard speech that has not stopped yet. */
  get speaking(): boolean {
    return this.speech !== null;
  }

  /** ms of uncommitted audio held. */
  get bufferedMs(): number {
    return (this.buffered * 1000) / this.rate;
  }

  /** Appends mono PCM16; `'full'` (nothing added) when it would pass the buffer limit. */
  append(pcm: Int16Array): BufferEvent[] | 'full' {
    if (pcm.length === 0) return [];
    if (((this.buffered + pcm.length) * 1000) / this.rate > this.limits.maxBufferedMs) return 'full';
    this.chunks.push(pcm);
    this.buffered += pcm.length;
    this.total += pcm.length;
    this.appended = true;
    const events: BufferEvent[] = [];
    if (this.detector && this.vad) {
      for (const b of this.detector.push(pcm)) {
        if (b.type === 'start') this.onStart(b.audioStartMs, events);
        else this.onStop(b.audioEndMs, events);
      }
      this.progress(events);
      if (!this.speech) this.trim();
    }
    return events;
  }

  /** Adds an image to the pending turn; the caller checked {@link hasAudio}. */
  addImage(image: Omit<ResponderImage, 'atMs'>): 'ok' | 'too-many' {
    if (this.images.length >= this.limits.maxImages) return 'too-many';
    this.images.push({ ...image, atMs: this.timelineMs });
    return 'ok';
  }

  /** Takes the whole buffer as a turn (`input_audio_buffer.commit`, §3.3); `null` when empty. */
  commit(): AudioTurn | null {
    if (this.buffered === 0) return null;
    const itemId = this.speech?.itemId ?? newServerId('item');
    const audio = concatPcm16(this.chunks, this.buffered);
    const turn: AudioTurn = { itemId, audio, audioMs: (audio.length * 1000) / this.rate, images: this.images };
    this.reset();
    return turn;
  }

  /** Drops the uncommitted audio and images (`input_audio_buffer.clear`, §3.4). */
  clear(): void {
    this.reset();
  }

  private reset(): void {
    this.bufferStart += this.buffered;
    this.chunks = [];
    this.buffered = 0;
    this.images = [];
    this.appended = false;
    this.speech = null;
    this.detector?.reset();
  }

  private onStart(detectorMs: number, events: BufferEvent[]): void {
    const onset = this.detectorOffset + Math.round((detectorMs * this.rate) / 1000);
    const padding = Math.round(((this.vad?.prefixPaddingMs ?? 0) * this.rate) / 1000);
    const turnStart = Math.max(this.bufferStart, onset - padding);
    const itemId = newServerId('item');
    this.speech = { itemId, turnStart, nextProgress: onset + Math.round((this.limits.progressMs * this.rate) / 1000) };
    events.push({ type: 'speech_started', audioStartMs: Math.round((onset * 1000) / this.rate), itemId });
  }

  private onStop(detectorMs: number, events: BufferEvent[]): void {
    if (!this.speech) return;
    const end = Math.min(this.total, this.detectorOffset + Math.round((detectorMs * this.rate) / 1000));
    const all = concatPcm16(this.chunks, this.buffered);
    const from = Math.max(0, this.speech.turnStart - this.bufferStart);
    const to = Math.max(from, end - this.bufferStart);
    const audio = all.slice(from, to);
    const turn: AudioTurn = { itemId: this.speech.itemId, audio, audioMs: (audio.length * 1000) / this.rate, images: this.images };
    // What follows the end of speech stays in the buffer for the next turn.
    const rest = all.slice(to);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.bufferStart = end;
    this.images = [];
    this.appended = rest.length > 0;
    const itemId = this.speech.itemId;
    this.speech = null;
    events.push({ type: 'speech_stopped', audioEndMs: Math.round((end * 1000) / this.rate), itemId, turn });
  }

  private progress(events: BufferEvent[]): void {
    const s = this.speech;
    if (!s || this.limits.progressMs <= 0 || this.total < s.nextProgress) return;
    const step = Math.round((this.limits.progressMs * this.rate) / 1000);
    while (s.nextProgress <= this.total) s.nextProgress += step;
    if (((this.total - s.turnStart) * 1000) / this.rate > MAX_PROGRESS_SPEECH_MS) return;
    const all = concatPcm16(this.chunks, this.buffered);
    this.chunks = [all];
    events.push({ type: 'speech_progress', itemId: s.itemId, audio: all.slice(Math.max(0, s.turnStart - this.bufferStart)) });
  }

  /** Outside speech, keep only the prefix padding (plus the detector's onset delay). */
  private trim(): void {
    const keep = Math.round((((this.vad?.prefixPaddingMs ?? 0) + ONSET_MARGIN_MS) * this.rate) / 1000);
    while (this.chunks.length > 1 && this.buffered - this.chunks[0]!.length >= keep) {
      const first = this.chunks.shift()!;
      this.buffered -= first.length;
      this.bufferStart += first.length;
    }
  }
}
