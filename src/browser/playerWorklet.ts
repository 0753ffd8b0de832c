/**
 * The player's AudioWorklet processor, as source text (see captureWorklet.ts for why). It plays
 * a queue of float blocks back to back — gapless, since each render quantum takes exactly what
 * the previous one left — outputs silence when the queue runs dry, and reports its position
 * every 4 render quanta (played and queued frames, the audio clock, the output level) so the
 * main thread can answer `stop()` at once. A stop empties the queue and starts a new generation.
 */

/** Name the processor registers under. */
export const PLAYER_PROCESSOR = 'dashscope-realtime-player';

/** Source of the player worklet module. */
export const PLAYER_WORKLET_SOURCE = `
class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = [];
    this.offset = 0;
    this.buffered = 0;
    this.played = 0;
    this.generation = 0;
    this.quanta = 0;
    this.sumSquares = 0;
    this.frames = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      const m = event.data;
      if (!m) return;
      if (m.type === 'samples') {
        this.queue.push(m.samples);
        this.buffered += m.samples.length;
      } else if (m.type === 'stop') {
        this.queue = [];
        this.offset = 0;
        this.buffered = 0;
        this.played = 0;
        this.generation = m.generation;
      } else if (m.type === 'close') {
        this.running = false;
      }
    };
  }
  process(inputs, outputs) {
    const out = outputs[0] && outputs[0][0];
    if (!out) return this.running;
    let i = 0;
    while (i < out.length && this.queue.length > 0) {
      const head = this.queue[0];
      const n = Math.min(out.length - i, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + n), i);
      i += n;
      this.offset += n;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    for (let k = 0; k < i; k++) this.sumSquares += out[k] * out[k];
    this.frames += out.length;
    this.played += i;
    this.buffered -= i;
    if (++this.quanta % 4 === 0) {
      this.port.postMessage({
        type: 'position',
        generation: this.generation,
        played: this.played,
        buffered: this.buffered,
        frame: currentFrame + out.length,
        rms: Math.sqrt(this.sumSquares / Math.max(1, this.frames)),
      });
      this.sumSquares = 0;
      this.frames = 0;
    }
    return this.running;
  }
}
registerProcessor(${JSON.stringify('dashscope-realtime-player')}, PlayerProcessor);
`;
