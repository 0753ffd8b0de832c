/**
 * Barge-in over WebRTC (protocol.md §5.3, §6.2): the reply plays from the media track, so the
 * session's player never sees it. This follows the assistant item that is playing from the
 * events on `"txt"` and, when the session stops it, says how much was heard and mutes the reply
 * element until the next response, so nothing of the cut reply is heard after the stop.
 *
 * The media plays in real time as the service sends it, so the estimate is the time since the
 * item's first transcript delta, up to when its audio ended (`response.audio.done` or the item's
 * end). It is an estimate: the transcript can lead the audio by the jitter buffer's depth.
 */
import type { AnyServerEvent } from '../protocol/serverEvents.js';
import type { MediaPlaybackStop } from '../transport/realtimeTransport.js';

interface Playing {
  itemId: string;
  /** When its first transcript delta arrived (the audio starts then, give or take the jitter buffer). */
  startedAt: number | undefined;
  /** When its audio ended on the service's side. */
  endedAt: number | undefined;
}

/** The reply item playing on a WebRTC transport's media track. */
export class TrackPlayback {
  readonly #element: () => HTMLMediaElement | undefined;
  readonly #now: () => number;
  #playing: Playing | undefined;
  /** Set while the element is muted by a stop (and was not muted before it). */
  #mutedByStop = false;

  constructor(element: () => HTMLMediaElement | undefined, now: () => number = () => performance.now()) {
    this.#element = element;
    this.#now = now;
  }

  /** Follows the events of `"txt"`. */
  observe(event: AnyServerEvent): void {
    const playing = this.#playing;
    switch (event.type) {
      case 'response.created':
        this.#unmute();
        break;
      case 'response.output_item.added':
        if (event.item.type === 'message' && event.item.role === 'assistant' && typeof event.item.id === 'string') this.#playing = { itemId: event.item.id, startedAt: undefined, endedAt: undefined };
        break;
      case 'response.audio_transcript.delta':
        if (playing?.itemId === event.item_id) playing.startedAt ??= this.#now();
        break;
      case 'response.audio.done':
      case 'response.audio_transcript.done':
        if (playing !== undefined && playing.itemId === event.item_id) playing.endedAt ??= this.#now();
        break;
      case 'response.output_item.done':
        if (playing?.itemId === event.item.id) playing.endedAt ??= this.#now();
        break;
      default:
        break;
    }
  }

  /** Stops: the item playing, how much of it was heard, and whether the stop cut it. */
  stop(): MediaPlaybackStop {
    const playing = this.#playing;
    this.#playing = undefined;
    if (!playing) return { itemId: undefined, heardMs: 0, streamedMs: 0, cut: false };
    const now = this.#now();
    const cut = playing.endedAt === undefined;
    if (cut) this.#mute();
    if (playing.startedAt === undefined) return { itemId: playing.itemId, heardMs: 0, streamedMs: 0, cut };
    const streamedMs = Math.max(0, (playing.endedAt ?? now) - playing.startedAt);
    return { itemId: playing.itemId, heardMs: Math.min(streamedMs, Math.max(0, now - playing.startedAt)), streamedMs, cut };
  }

  #mute(): void {
    const element = this.#element();
    if (!element || element.muted) return;
    element.muted = true;
    this.#mutedByStop = true;
  }

  #unmute(): void {
    const element = this.#element();
    if (this.#mutedByStop && element) element.muted = false;
    this.#mutedByStop = false;
  }
}
