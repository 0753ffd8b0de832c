/**
 * The conversation history the simulated model keeps (§5.9) and its limits (§2.2): when the
 * audio turns, video turns, audio seconds, video seconds or input tokens of a model are
 * exceeded, the oldest entries are dropped silently (no event). Every response re-bills what is
 * retained (§2.6), so the limits show in `usage`.
 */
import { audioTokens, textTokens, type ModelInfo } from '../protocol/index.js';
import type { ResponderHistoryEntry } from './responder.js';

/** One entry of the history. */
export interface HistoryEntry {
  /** Who produced it. */
  role: 'user' | 'assistant' | 'tool';
  /** Its text: input text, transcript, reply text, function call or tool output. */
  text: string;
  /** Whether {@link text} is billed as input text (a user audio turn's transcript is not: its audio is). */
  billText: boolean;
  /** ms of user audio (0 for none). */
  audioMs: number;
  /** Audio tokens are doubled for 2- and 4-channel input (§2.6). */
  audioFactor: number;
  /** Token count of each image of the turn (§2.6). */
  imageTokens: number[];
}

/** Input token counts of the retained history (§2.6). */
export interface InputTokens {
  text: number;
  audio: number;
  image: number;
}

const MAX_CALLS = 256;

/** The retained history of one session. */
export class Conversation {
  private list: HistoryEntry[] = [];
  private readonly calls = new Map<string, string>();

  constructor(
    private readonly model: ModelInfo,
    private readonly maxEntries: number,
  ) {}

  /** The retained entries, oldest first. */
  get entries(): readonly HistoryEntry[] {
    return this.list;
  }

  /** Adds an entry, then drops the oldest ones while a limit of §2.2 is exceeded. */
  add(entry: HistoryEntry): void {
    this.list.push(entry);
    while (this.list.length > 1 && this.overLimit()) this.list.shift();
  }

  /** Tokens of the retained history plus `instructions`, by kind (§2.6). */
  inputTokens(instructions?: string): InputTokens {
    const counts = this.count(this.list);
    counts.text += instructions ? textTokens(instructions) : 0;
    return counts;
  }

  /** The history as the responder sees it. */
  responderHistory(): ResponderHistoryEntry[] {
    return this.list.map((e) => ({ role: e.role, text: e.text }));
  }

  /** Remembers a call the model made, so its output can be named (§3.8). */
  rememberCall(callId: string, name: string): void {
    if (this.calls.size >= MAX_CALLS) this.calls.delete(this.calls.keys().next().value as string);
    this.calls.set(callId, name);
  }

  /** The function name of a call the model made, if known. */
  callName(callId: string): string | undefined {
    return this.calls.get(callId);
  }

  private count(entries: readonly HistoryEntry[]): InputTokens {
    const rules = this.model.tokens;
    const out: InputTokens = { text: 0, audio: 0, image: 0 };
    for (const e of entries) {
      if (e.billText) out.text += textTokens(e.text);
      out.audio += audioTokens(e.audioMs / 1000, rules.audioInputPerSecond) * e.audioFactor;
      for (const t of e.imageTokens) out.image += t;
    }
    return out;
  }

  private overLimit(): boolean {
    const l = this.model.limits;
    if (this.list.length > this.maxEntries) return true;
    let audioTurns = 0;
    let videoTurns = 0;
    let audioMs = 0;
    let images = 0;
    for (const e of this.list) {
      if (e.audioMs > 0) audioTurns++;
      if (e.imageTokens.length > 0) videoTurns++;
      audioMs += e.audioMs;
      images += e.imageTokens.length;
    }
    if (l.audioTurns !== undefined && audioTurns > l.audioTurns) return true;
    if (l.videoTurns !== undefined && videoTurns > l.videoTurns) return true;
    if (l.audioSeconds !== undefined && audioMs > l.audioSeconds * 1000) return true;
    // Frames count as video seconds at the recommended 1 frame/s (§2.2).
    if (l.videoSeconds !== undefined && images > l.videoSeconds) return true;
    const tokenLimit = l.maxInputTokens ?? l.contextTokens;
    if (tokenLimit !== undefined) {
      const c = this.count(this.list);
      if (c.text + c.audio + c.image > tokenLimit) return true;
    }
    return false;
  }
}
