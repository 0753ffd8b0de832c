/**
 * The input side of the WebSocket client: audio and image appends (§3.2, §3.5), commit and clear
 * (§3.3, §3.4), the streaming converter for audio at other rates, and backpressure: an append
 * resolves once the socket's outbound buffer is back under the high-water mark.
 */
import { encodeBase64 } from '../audio/base64.js';
import { Pcm16MonoConverter } from '../audio/convert.js';
import { ValidationError } from '../errors.js';
import type { ClientEvent } from '../protocol/clientEvents.js';
import type { AnyServerEvent } from '../protocol/serverEvents.js';
import type { Socket } from '../transport/socket.js';
import { checkFormattedAudio, encodeAudio, encodeImage, type AudioInput, type AudioInputFormat, type ImageInput } from './encodeInput.js';

/** What the input side needs from its client. */
export interface InputHost {
  /** The open socket, or a {@link ConnectionError} naming `operation`. */
  requireOpen(operation: string): Socket;
  /** The current socket, if any. */
  socket(): Socket | undefined;
  /** Sends an event; returns its id. */
  send(event: ClientEvent): string;
  /** The session's input rate. */
  inputSampleRate(): number;
  /** Why images cannot be sent to this model, or undefined when they can. */
  imageRefusal(): string | undefined;
}

/** How often a waiting append looks at the socket's buffer again. */
const DRAIN_POLL_MS = 5;

/** Appends, commits and backpressure for one client. */
export class InputSender {
  readonly #host: InputHost;
  readonly #highWaterMark: number;
  #audioSinceCommit = false;
  #drainWaiters: Array<() => void> = [];
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #converter: { key: string; converter: Pcm16MonoConverter } | undefined;

  constructor(host: InputHost, highWaterMark: number) {
    this.#host = host;
    this.#highWaterMark = highWaterMark;
  }

  /** A new connection: nothing appended yet. */
  reset(): void {
    this.#audioSinceCommit = false;
  }

  /** Keeps track of the audio buffer from what is sent. */
  noteSent(type: string): void {
    if (type === 'input_audio_buffer.append') this.#audioSinceCommit = true;
    else if (type === 'input_audio_buffer.commit' || type === 'input_audio_buffer.clear') this.#audioSinceCommit = false;
  }

  /** Keeps track of the audio buffer from what the server says (a VAD commit empties it). */
  noteReceived(event: AnyServerEvent): void {
    if (event.type === 'input_audio_buffer.committed' || event.type === 'input_audio_buffer.cleared') this.#audioSinceCommit = false;
  }

  /** See `RealtimeClient.appendAudio`. */
  appendAudio(data: AudioInput, format?: AudioInputFormat): Promise<string> {
    const socket = this.#host.requireOpen('appendAudio');
    let audio: string;
    if (format !== undefined && (typeof format !== 'object' || format === null)) {
      throw new ValidationError('appendAudio: the second argument is the format of the samples, { sampleRate, channels }; leave it out for PCM16 at the session rate.', 'appendAudio(format)');
    }
    if (format === undefined) audio = encodeAudio(data);
    else {
      // One streaming converter across chunks: resampling chunk by chunk separately would click
      // at every boundary. Its filter tail is flushed before a commit.
      const samples = checkFormattedAudio(data, format);
      const pcm = this.#converterFor(format).process(samples);
      if (pcm.length === 0) return Promise.resolve('');
      audio = encodeBase64(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    }
    const eventId = this.#host.send({ type: 'input_audio_buffer.append', audio });
    return this.#drained(socket).then(() => eventId);
  }

  #converterFor(format: AudioInputFormat): Pcm16MonoConverter {
    const rate = this.#host.inputSampleRate();
    const key = `${format.sampleRate}/${format.channels ?? 1}/${rate}`;
    if (this.#converter?.key !== key) {
      this.#flushConverter();
      this.#converter = { key, converter: new Pcm16MonoConverter({ sampleRate: format.sampleRate, channels: format.channels ?? 1 }, rate) };
    }
    return this.#converter.converter;
  }

  /** Sends what the streaming converter still holds, so that no converted audio is lost. */
  #flushConverter(): void {
    const tail = this.#converter?.converter.flush();
    this.#converter = undefined;
    if (tail && tail.length > 0 && this.#host.socket()?.isOpen) {
      this.#host.send({ type: 'input_audio_buffer.append', audio: encodeBase64(new Uint8Array(tail.buffer, tail.byteOffset, tail.byteLength)) });
    }
  }

  /** See `RealtimeClient.appendImage`. */
  appendImage(data: ImageInput, options: { mimeType?: string } = {}): Promise<string> {
    const socket = this.#host.requireOpen('appendImage');
    if (typeof options !== 'object' || options === null) throw new ValidationError('appendImage: options must be an object, e.g. { mimeType: "image/jpeg" }.', 'appendImage(options)');
    const refusal = this.#host.imageRefusal();
    if (refusal) throw new ValidationError(refusal, 'appendImage(data)', undefined, 'unsupported_feature');
    const image = encodeImage(data, options.mimeType === undefined ? {} : { mimeType: options.mimeType });
    if (!this.#audioSinceCommit) {
      throw new ValidationError('appendImage: append audio before the first image of a turn; the service refuses an image with no audio before it (protocol.md §3.5).', 'appendImage(data)');
    }
    const eventId = this.#host.send({ type: 'input_image_buffer.append', image });
    return this.#drained(socket).then(() => eventId);
  }

  /** See `RealtimeClient.commitAudio`. */
  commitAudio(): string {
    this.#host.requireOpen('commitAudio');
    this.#flushConverter();
    if (!this.#audioSinceCommit) {
      throw new ValidationError('commitAudio: the audio buffer is empty; append audio before committing.', 'commitAudio()');
    }
    return this.#host.send({ type: 'input_audio_buffer.commit' });
  }

  /** See `RealtimeClient.clearAudio`. */
  clearAudio(): string {
    this.#converter = undefined;
    return this.#host.send({ type: 'input_audio_buffer.clear' });
  }

  /** Resolves once the outbound buffer is at or below the high-water mark (or the socket closed). */
  #drained(socket: Socket): Promise<void> {
    if (socket.bufferedAmount <= this.#highWaterMark || !socket.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiters.push(resolve);
      this.#pollDrain();
    });
  }

  #pollDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined;
      const socket = this.#host.socket();
      if (!socket || !socket.isOpen || socket.bufferedAmount <= this.#highWaterMark) this.releaseWaiters();
      else this.#pollDrain();
    }, DRAIN_POLL_MS);
  }

  /** Resolves every waiting append (the socket drained or closed). */
  releaseWaiters(): void {
    clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}
