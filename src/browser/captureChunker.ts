/**
 * Microphone samples at the device's rate → PCM16 mono chunks of a fixed length at the session's
 * input rate (16 kHz unless configured, protocol.md §2.3; 100 ms chunks recommended). Built from
 * the audio kit's streaming converter (band-limited, no clicks at block edges) and re-chunker, so
 * it runs, and is tested, outside a browser too.
 */
import { Pcm16MonoConverter } from '../audio/convert.js';
import { pcm16FromBytes, pcm16ToBytes } from '../audio/pcm.js';
import { PcmRechunker } from '../audio/streamAdapters.js';

/** Converts and re-chunks a stream of float mono blocks. */
export class CaptureChunker {
  private readonly converter: Pcm16MonoConverter;
  private readonly rechunker: PcmRechunker;

  /** `inputRate`: the device's rate; `targetRate`: the session's input rate; `chunkMs`: chunk length. */
  constructor(inputRate: number, targetRate: number, chunkMs: number) {
    this.converter = new Pcm16MonoConverter({ sampleRate: inputRate }, targetRate);
    this.rechunker = new PcmRechunker({ sampleRate: targetRate, chunkMs });
  }

  /** Whole chunks completed by `block` (float mono in [-1, 1] at the input rate). */
  push(block: Float32Array): Int16Array[] {
    const pcm = this.converter.process(block);
    if (pcm.length === 0) return [];
    return this.rechunker.push(pcm16ToBytes(pcm)).map(pcm16FromBytes);
  }

  /** The rest at the end of the recording: the converter's tail and the shorter last chunk. */
  flush(): Int16Array[] {
    const tail = this.converter.flush();
    const out = tail.length > 0 ? this.rechunker.push(pcm16ToBytes(tail)).map(pcm16FromBytes) : [];
    const last = this.rechunker.end();
    if (last !== null) out.push(pcm16FromBytes(last));
    return out;
  }
}
