/**
 * Barge-in: the only signal is `input_audio_buffer.speech_started`, and the client must stop
 * its own playback (protocol.md §5.3). A playback adapter reports how many samples were actually
 * played, so the session can tell whether anything was cut at all, and mark what the user heard.
 */

/** Where reply audio is played. */
export interface PlaybackAdapter {
  /** Queue PCM16 mono samples at `sampleRate` for playback. */
  write(pcm: Int16Array, sampleRate: number): void;
  /** Stop at once, drop what is queued, and return how many samples were actually played since the last stop. */
  stop(): number;
}

/** What a stop found. */
export interface PlaybackStop {
  /** The assistant item at the playhead (the first one not played whole), else the last one written; undefined when nothing was written since the last stop. */
  itemId: string | undefined;
  /** How much of it was heard, in ms. */
  heardMs: number;
  /** True when written audio was not played: the stop cut something. */
  cut: boolean;
  /** Items queued behind the playhead, of which nothing was heard. */
  unheard: string[];
}

/** The items written since the last stop are remembered up to this many (older ones count as played). */
const MAX_ITEMS = 64;

/** One item's audio in the stream written since the last stop, in samples. */
interface Span {
  itemId: string;
  start: number;
  length: number;
}

/**
 * Tracks what was written since the last stop and what a stop means for each item. The adapter
 * counts samples played since its last stop(), which may span several items (two replies
 * without a stop between them: manual mode, then `interrupt()`): the count is laid over the
 * items in the order they were written, so each item's heard part is its own.
 */
export class PlaybackGate {
  #spans: Span[] = [];
  #written = 0;

  constructor(private readonly adapter: PlaybackAdapter | undefined) {}

  /** Plays `pcm` of assistant item `itemId`. */
  write(pcm: Int16Array, sampleRate: number, itemId: string): void {
    const last = this.#spans.at(-1);
    if (last?.itemId === itemId) last.length += pcm.length;
    else {
      this.#spans.push({ itemId, start: this.#written, length: pcm.length });
      if (this.#spans.length > MAX_ITEMS) this.#spans.shift();
    }
    this.#written += pcm.length;
    this.adapter?.write(pcm, sampleRate);
  }

  /**
   * Stops playback. Returns the item at the playhead and how much of it was heard: by the
   * adapter's count, or without an adapter everything received (nothing can be known, and
   * nothing counts as cut: only a response still streaming is).
   */
  stop(sampleRate: number): PlaybackStop {
    const spans = this.#spans;
    const written = this.#written;
    this.#spans = [];
    this.#written = 0;
    const played = this.adapter ? Math.min(this.#adapterStop(written), written) : written;
    // The first item not played whole is where playback stopped; the ones after it were not heard.
    const at = spans.findIndex((span) => span.start + span.length > played);
    const span = at >= 0 ? spans[at] : spans.at(-1);
    const heard = span ? Math.max(0, Math.min(span.length, played - span.start)) : 0;
    return { itemId: span?.itemId, heardMs: (heard / sampleRate) * 1000, cut: played < written, unheard: at >= 0 ? spans.slice(at + 1).map((s) => s.itemId) : [] };
  }

  /**
   * The adapter's count of samples played. A stop() that throws or answers nonsense counts as
   * everything written: it runs while a connection closes, which it must not break.
   */
  #adapterStop(written: number): number {
    try {
      const played = this.adapter!.stop();
      return typeof played === 'number' && played >= 0 ? played : written;
    } catch {
      return written;
    }
  }
}
