/**
 * Audio as it crosses the wire in the simulator: strict base64 (§3.2, §3.5), PCM s16le mono or
 * interleaved multichannel (§2.3, §3.1.2), and the `wav` container of the nested formats
 * (§3.1.2). Node-only, so Node's Buffer does the base64 work.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a standard base64 string, or `null` when it is not base64 (Node's own decoder
 * silently skips bad characters, which would hide a client bug). Padding is optional.
 */
export function decodeBase64Strict(text: string): Uint8Array | null {
  if (text.length % 4 === 1 || !BASE64.test(text)) return null;
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Base64 of PCM16 samples (little-endian, as on the wire). */
export function encodePcmBase64(pcm: Int16Array, prefix?: Uint8Array): string {
  const body = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  return (prefix ? Buffer.concat([prefix, body]) : body).toString('base64');
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/**
 * With the `wav` input type a chunk may start with a WAV header (§3.1.2): the PCM after its
 * `data` chunk header is returned. Chunks without a RIFF header are raw continuation PCM.
 */
export function stripWavHeader(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return bytes;
  let i = 12;
  while (i + 8 <= bytes.length) {
    const id = ascii(bytes, i);
    const size = (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24)) >>> 0;
    if (id === 'data') return bytes.subarray(i + 8);
    i += 8 + size + (size & 1);
  }
  return new Uint8Array(0);
}

/**
 * A 44-byte WAV header for 16-bit mono PCM. With the `wav` output type the simulator puts it in
 * front of the first `response.audio.delta` of each response, with the sizes of the whole reply.
 */
export function wavHeader(sampleRate: number, dataBytes: number): Uint8Array {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return new Uint8Array(header.buffer, header.byteOffset, 44);
}

/**
 * Mono PCM16 from s16le bytes with `channels` interleaved channels (qwen3.8 takes 2 or 4,
 * §3.1.2); multichannel input is averaged, which is what VAD and transcription need. The caller
 * checks that the length is a whole number of frames.
 */
export function monoPcm16(bytes: Uint8Array, channels: number): Int16Array {
  const copy = new Uint8Array(bytes); // aligned copy: the decoded buffer may start at an odd offset
  const all = new Int16Array(copy.buffer, 0, copy.length >> 1);
  if (channels <= 1) return all;
  const frames = Math.floor(all.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += all[f * channels + c]!;
    out[f] = Math.round(sum / channels);
  }
  return out;
}
