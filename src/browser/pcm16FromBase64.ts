/**
 * Base64 audio of a `response.audio.delta` (§4.17) → PCM16 samples for the player, with the audio
 * kit's decoders (no `atob` string detour).
 */
import { decodeBase64 } from '../audio/base64.js';
import { pcm16FromBytes } from '../audio/pcm.js';

/** The PCM16 samples of a base64 `delta`. */
export function pcm16FromBase64(delta: string): Int16Array {
  return pcm16FromBytes(decodeBase64(delta));
}
