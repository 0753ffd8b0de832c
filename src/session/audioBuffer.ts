/**
 * Audio appended while the connection is down: kept up to a bound and sent after the reconnect.
 * Past the bound the new audio is dropped and counted, never silently.
 */

/** A bounded buffer of PCM16 chunks. */
export class BoundedAudioBuffer {
  #chunks: Int16Array[] = [];
  #bufferedMs = 0;
  #droppedMs = 0;

  constructor(private readonly limitMs: number) {}

  /** Audio dropped so far, in ms. */
  get totalDroppedMs(): number {
    return this.#droppedMs;
  }

  /** Buffered audio, in ms. */
  get bufferedMs(): number {
    return this.#bufferedMs;
  }

  /** Keeps what fits of `pcm` (at `sampleRate`); returns the ms dropped (0 when all fit). */
  push(pcm: Int16Array, sampleRate: number): number {
    const ms = (pcm.length / sampleRate) * 1000;
    const room = Math.max(0, this.limitMs - this.#bufferedMs);
    if (ms <= room) {
      this.#chunks.push(pcm.slice());
      this.#bufferedMs += ms;
      return 0;
    }
    const keep = Math.floor((room / 1000) * sampleRate);
    if (keep > 0) this.#chunks.push(pcm.slice(0, keep));
    const kept = (keep / sampleRate) * 1000;
    this.#bufferedMs += kept;
    this.#droppedMs += ms - kept;
    return ms - kept;
  }

  /** Takes every buffered chunk, oldest first. */
  drain(): Int16Array[] {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#bufferedMs = 0;
    return chunks;
  }
}
