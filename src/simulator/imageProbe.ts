/**
 * Recognises the frames of `input_image_buffer.append` by their magic bytes and reads their
 * size, for the JPEG-only rule (§3.5) and the image token count (§2.6). Only headers are read;
 * nothing is decoded.
 */

/** What an image frame is. */
export interface ImageProbe {
  /** Container found by magic bytes. */
  format: 'jpeg' | 'png';
  /** Width in pixels (0 when no frame header was found). */
  width: number;
  /** Height in pixels (0 when no frame header was found). */
  height: number;
}

// Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return { width: 0, height: 0 };
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // markers without a length
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (isStartOfFrame(marker)) {
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    }
    if (marker === 0xda || length < 2) break; // image data begins: no frame header before it
    i += 2 + length;
  }
  return { width: 0, height: 0 };
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The container and size of `bytes`, or `null` when it is neither JPEG nor PNG. */
export function probeImage(bytes: Uint8Array): ImageProbe | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { format: 'jpeg', ...jpegSize(bytes) };
  }
  if (bytes.length >= 24 && PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  return null;
}
