/**
 * The microphone's AudioWorklet processor, as source text: a worklet module must be loaded by URL,
 * so the SDK ships it as a string and loads it from a Blob URL (see workletLoader.ts) — no extra
 * file for a bundler to find. It runs on the audio thread and does the least possible there:
 * downmix to mono and hand fixed blocks (with their RMS level) to the main thread, where the audio
 * kit converts them. The blocks' buffers are transferred, not copied.
 */

/** Name the processor registers under. */
export const CAPTURE_PROCESSOR = 'dashscope-realtime-capture';

/** Source of the capture worklet module. `processorOptions.blockFrames` sets the block size. */
export const CAPTURE_WORKLET_SOURCE = `
class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.blockFrames = Math.max(128, (options.processorOptions && options.processorOptions.blockFrames) || 2048);
    this.block = new Float32Array(this.blockFrames);
    this.filled = 0;
    this.sumSquares = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === 'stop') {
        if (this.filled > 0) this.send(this.block.slice(0, this.filled));
        this.port.postMessage({ type: 'stopped' });
        this.running = false;
      }
    };
  }
  send(samples) {
    const rms = Math.sqrt(this.sumSquares / Math.max(1, samples.length));
    this.port.postMessage({ type: 'block', samples, rms }, [samples.buffer]);
    this.sumSquares = 0;
  }
  process(inputs) {
    const input = inputs[0];
    if (this.running && input && input.length > 0) {
      const channels = input.length;
      const frames = input[0].length;
      for (let i = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += input[c][i];
        s /= channels;
        this.block[this.filled++] = s;
        this.sumSquares += s * s;
        if (this.filled === this.blockFrames) {
          this.send(this.block);
          this.block = new Float32Array(this.blockFrames);
          this.filled = 0;
        }
      }
    }
    return this.running;
  }
}
registerProcessor(${JSON.stringify('dashscope-realtime-capture')}, CaptureProcessor);
`;
