/**
 * The conversation as the application sees it: every item in order — user turns, assistant
 * messages, function calls and their outputs — each with its status, built from server events
 * (protocol.md §4.8 to §4.21) and from what the session sent.
 */
import type { Redactor } from '../internal/redact.js';
import type { AnyServerEvent } from '../protocol/serverEvents.js';

/** Status of a history item. */
export type HistoryStatus = 'in_progress' | 'completed' | 'interrupted' | 'failed';

/** A user turn. */
export interface UserItem {
  id: string;
  type: 'user';
  status: HistoryStatus;
  /** Text the user sent (`sendText`/`ask`). */
  text?: string;
  /** Input transcription of the audio, when enabled. */
  transcript?: string;
  /** Milliseconds of audio in the turn, when known. */
  audioMs?: number;
  /** Images sent with the turn. */
  images: number;
}

/** An assistant message. */
export interface AssistantItem {
  id: string;
  type: 'assistant';
  status: HistoryStatus;
  responseId: string;
  /** Transcript of the spoken reply, or the text of a text-only reply. */
  text: string;
  /** Milliseconds of reply audio received. */
  audioMs: number;
  /** After an interruption: how much was heard, by the playback's count. */
  heard?: { audioMs: number; text: string };
}

/** A function call the model made. */
export interface FunctionCallHistoryItem {
  id: string;
  type: 'function_call';
  status: HistoryStatus;
  callId: string;
  name: string;
  arguments: string;
}

/** The output sent for a function call. */
export interface FunctionOutputHistoryItem {
  id: string;
  type: 'function_call_output';
  status: HistoryStatus;
  callId: string;
  output: string;
}

/** Any history item. */
export type HistoryItem = UserItem | AssistantItem | FunctionCallHistoryItem | FunctionOutputHistoryItem;

/** What changed: `added`, `updated`, `completed`, or `removed` (the oldest, past the limit). */
export type HistoryChange = { kind: 'added' | 'updated' | 'completed' | 'removed'; item: HistoryItem };

/** The conversation history. */
export class ConversationHistory {
  readonly #items: HistoryItem[] = [];
  readonly #byId = new Map<string, HistoryItem>();
  #pendingImages = 0;
  #pendingAudioMs = 0;
  /** Between `speech_started` and `speech_stopped`/`committed`. */
  #speaking = false;

  /**
   * @param onChange called for every change
   * @param maxItems items kept; past it the oldest finished ones are removed (`Infinity`: all)
   */
  constructor(
    private readonly onChange: (change: HistoryChange) => void,
    private readonly maxItems = Infinity,
  ) {}

  /** Items in conversation order (a copy). */
  get items(): HistoryItem[] {
    return [...this.#items];
  }

  /** The item with `id`. */
  get(id: string): HistoryItem | undefined {
    return this.#byId.get(id);
  }

  #add(item: HistoryItem): void {
    if (this.#byId.has(item.id)) return;
    this.#items.push(item);
    this.#byId.set(item.id, item);
    this.onChange({ kind: 'added', item });
    if (item.status === 'completed') this.onChange({ kind: 'completed', item });
    this.#trim();
  }

  /**
   * Removes the oldest items past `maxItems`: finished ones first, skipping past any item still
   * in progress (one the server never finishes must not switch the limit off); if the items in
   * progress alone are more than the limit, the oldest of them go too. Linear in the items.
   */
  #trim(): void {
    let excess = this.#items.length - this.maxItems;
    if (excess <= 0) return;
    const removed: HistoryItem[] = [];
    for (const pass of ['finished', 'any'] as const) {
      for (let i = 0; i < this.#items.length && excess > 0; i++) {
        const item = this.#items[i]!;
        if (pass === 'finished' && item.status === 'in_progress') continue;
        if (pass === 'any' && removed.includes(item)) continue;
        removed.push(item);
        excess--;
      }
    }
    const gone = new Set(removed);
    let at = 0;
    for (const item of this.#items) if (!gone.has(item)) this.#items[at++] = item;
    this.#items.length = at;
    for (const item of removed) {
      this.#byId.delete(item.id);
      this.onChange({ kind: 'removed', item });
    }
  }

  #finish(item: HistoryItem, status: HistoryStatus): void {
    item.status = status;
    this.#update(item, true);
  }

  #update(item: HistoryItem, complete = false): void {
    this.onChange({ kind: complete ? 'completed' : 'updated', item });
  }

  /** The session sent audio (counted into the next user item). */
  noteAudio(ms: number): void {
    this.#pendingAudioMs += ms;
  }

  /** The session sent an image (counted into the next user item). */
  noteImage(): void {
    this.#pendingImages++;
  }

  /** The session sent a user text message; the id is its own until the server's echo. */
  noteUserText(id: string, text: string): void {
    this.#add({ id, type: 'user', status: 'completed', text, images: 0 });
  }

  /** The session sent a function output (with its own item id). */
  noteFunctionOutput(id: string, callId: string, output: string): void {
    this.#add({ id, type: 'function_call_output', status: 'completed', callId, output });
  }

  /** Adds an item restored after a reconnect. */
  restore(item: HistoryItem): void {
    this.#add(item);
  }

  /** Marks the assistant item `id` as interrupted with what was heard; what was heard, once recorded, never changes. */
  interrupt(id: string, heardMs: number, playedMs?: number): AssistantItem | undefined {
    const item = this.#byId.get(id);
    if (!item || item.type !== 'assistant') return undefined;
    if (item.heard) return item;
    // Audio that did not come as deltas (WebRTC's media track): the transport says how much played.
    if (item.audioMs === 0 && playedMs !== undefined && Number.isFinite(playedMs) && playedMs > 0) item.audioMs = playedMs;
    const share = item.audioMs > 0 ? Math.min(1, heardMs / item.audioMs) : 0;
    const words = item.text.split(/(\s+)/);
    const heardText = words.slice(0, Math.round(words.length * share)).join('').trim();
    item.status = 'interrupted';
    item.heard = { audioMs: Math.min(heardMs, item.audioMs), text: heardText };
    this.#update(item, true);
    return item;
  }

  /**
   * The response `responseId` is over without saying so for its items (a cancel without
   * `response.done`, §5.3; a response superseded by the next, §0.2.8): its items still in
   * progress get `status`.
   */
  endResponse(responseId: string, status: HistoryStatus): void {
    for (const item of this.#items) {
      if ((item.type === 'assistant' || item.type === 'function_call') && item.status === 'in_progress' && (item.type !== 'assistant' || item.responseId === responseId)) {
        this.#finish(item, status);
      }
    }
  }

  /** Marks every item still in progress as failed (its connection is gone). */
  abandon(): void {
    for (const item of this.#items) {
      if (item.status !== 'in_progress') continue;
      item.status = 'failed';
      this.#update(item, true);
    }
  }

  /** Updates the history from one server event. */
  apply(event: AnyServerEvent, outputRate: number, redactor?: Redactor): void {
    switch (event.type) {
      case 'conversation.item.created': {
        const item = event.item;
        if (item.type === 'message' && item.role === 'user') {
          if (this.#byId.get(item.id)?.type === 'user') return;
          const text = item.content?.find((c) => c.type === 'input_text') as { text?: string } | undefined;
          if (text?.text !== undefined && this.#findUserText(text.text)) return; // echo of our own text item
          // §0.2.4: under semantic VAD the audio item may be announced while the user still
          // speaks; it is complete at its `input_audio_buffer.committed`, not at its creation.
          const early = text?.text === undefined && this.#speaking;
          const user: UserItem = { id: item.id, type: 'user', status: early ? 'in_progress' : 'completed', images: this.#pendingImages };
          if (text?.text !== undefined) user.text = text.text;
          else if (this.#pendingAudioMs > 0) user.audioMs = Math.round(this.#pendingAudioMs);
          this.#pendingImages = 0;
          this.#pendingAudioMs = 0;
          this.#add(user);
        } else if (item.type === 'function_call_output') {
          if (item.id && !this.#byId.has(item.id)) this.#add({ id: item.id, type: 'function_call_output', status: 'completed', callId: item.call_id, output: item.output });
        }
        return;
      }
      case 'input_audio_buffer.speech_started':
        // A candidate announced early and never committed was discarded (§0.2.3).
        for (const item of this.#items) if (item.type === 'user' && item.status === 'in_progress') this.#finish(item, 'failed');
        this.#speaking = true;
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#speaking = false;
        return;
      case 'input_audio_buffer.committed': {
        this.#speaking = false;
        const item = this.#byId.get(event.item_id);
        if (item?.type === 'user' && item.status === 'in_progress') this.#finish(item, 'completed');
        return;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        const item = this.#byId.get(event.item_id);
        if (item?.type === 'user') {
          item.transcript = event.transcript;
          this.#update(item);
        }
        return;
      }
      case 'response.output_item.added': {
        const item = event.item;
        if (item.type === 'function_call') {
          this.#add({ id: item.id, type: 'function_call', status: 'in_progress', callId: item.call_id, name: item.name, arguments: item.arguments ?? '' });
        } else {
          this.#add({ id: item.id, type: 'assistant', status: 'in_progress', responseId: event.response_id, text: '', audioMs: 0 });
        }
        return;
      }
      case 'response.audio_transcript.delta':
      case 'response.text.delta': {
        const item = this.#byId.get(event.item_id);
        // A key split over two deltas is caught where they join (the client redacts each alone).
        if (item?.type === 'assistant') item.text = redactor ? redactor.appended(item.text + event.delta, event.delta.length) : item.text + event.delta;
        return;
      }
      case 'response.audio.delta': {
        const item = this.#byId.get(event.item_id);
        // base64 length × 3/4 bytes ÷ 2 bytes per sample.
        if (item?.type === 'assistant') item.audioMs += ((event.delta.length * 3) / 4 / 2 / outputRate) * 1000;
        return;
      }
      case 'response.audio_transcript.done':
      case 'response.text.done': {
        const item = this.#byId.get(event.item_id);
        if (item?.type === 'assistant') {
          item.text = event.type === 'response.text.done' ? event.text : event.transcript;
          this.#update(item);
        }
        return;
      }
      case 'response.function_call_arguments.done': {
        const item = this.#byId.get(event.item_id);
        if (item?.type === 'function_call') {
          item.arguments = event.arguments;
          this.#update(item);
        }
        return;
      }
      case 'response.output_item.done': {
        const item = this.#byId.get(event.item.id);
        if (!item || item.status !== 'in_progress') return;
        item.status = event.item.status === 'incomplete' || event.item.status === 'cancelled' ? 'interrupted' : event.item.status === 'failed' ? 'failed' : 'completed';
        this.#update(item, true);
        return;
      }
      case 'response.done': {
        const status = event.response.status;
        if (status !== 'completed') this.endResponse(event.response.id, status === 'failed' ? 'failed' : 'interrupted');
        return;
      }
      default:
        return;
    }
  }

  #findUserText(text: string): boolean {
    for (let i = this.#items.length - 1; i >= 0 && i >= this.#items.length - 4; i--) {
      const item = this.#items[i]!;
      if (item.type === 'user' && item.text === text) return true;
    }
    return false;
  }
}
