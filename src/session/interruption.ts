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
  /** The assistant item that was playing, if any audio was written since the last stop. */
  itemId: string | undefined;
  /** How much of it was heard, in ms. */
  heardMs: number;
  /** True when written audio was not played: the stop cut something. */
  cut: boolean;
}

/** Tracks the item being played and what a stop means for it. */
export class PlaybackGate {
  #itemId: string | undefined;
  #written = 0;

  constructor(private readonly adapter: PlaybackAdapter | undefined) {}

  /** Plays `pcm` of assistant item `itemId`. */
  write(pcm: Int16Array, sampleRate: number, itemId: string): void {
    if (itemId !== this.#itemId) {
      this.#itemId = itemId;
      this.#written = 0;
    }
    this.#written += pcm.length;
    this.adapter?.write(pcm, sampleRate);
  }

  /**
   * Stops playback. Returns the item that was playing and how much of it was heard: the
   * adapter's count, or without an adapter everything received (nothing can be known, and
   * nothing counts as cut: only a response still streaming is).
   */
  stop(sampleRate: number): PlaybackStop {
    const itemId = this.#itemId;
    const played = this.adapter ? Math.min(this.#adapterStop(), this.#written) : this.#written;
    const cut = played < this.#written;
    this.#itemId = undefined;
    this.#written = 0;
    return { itemId, heardMs: (played / sampleRate) * 1000, cut };
  }

  /**
   * The adapter's count of samples played. A stop() that throws or answers nonsense counts as
   * everything written: it runs while a connection closes, which it must not break.
   */
  #adapterStop(): number {
    try {
      const played = this.adapter!.stop();
      return typeof played === 'number' && played >= 0 ? played : this.#written;
    } catch {
      return this.#written;
    }
  }
}
