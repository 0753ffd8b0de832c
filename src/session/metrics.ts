/**
 * Latency and usage: per turn, from the end of the user's speech (or the commit) to
 * `response.created`, to the first text and to the first audio; usage per response and running
 * totals, beside the estimate of the audio sent by the token rules of protocol.md §2.6.
 */
import type { Usage } from '../protocol/items.js';
import type { ModelInfo } from '../protocol/models.js';
import { UsageEstimator, type UsageTotals } from '../audio/estimate.js';
import type { TurnLatency } from './turn.js';

/** Totals so far. */
export interface MetricsSnapshot {
  /** The response whose usage was just added, if any. */
  responseId?: string;
  /** Usage of that response. */
  usage?: Usage;
  /** Sums over every response. */
  totals: { responses: number; inputTokens: number; outputTokens: number; totalTokens: number; inputAudioTokens: number; outputAudioTokens: number };
  /** Turns ended so far. */
  turns: number;
  /** Latencies of the last turn. */
  lastLatency?: TurnLatency;
  /**
   * The audio kit's estimate of the audio sent and received by the token rules (§2.6), to set
   * beside `totals`. The service also re-bills the retained history every turn (§5.9), so the
   * reported input grows faster than this estimate of the new audio alone.
   */
  estimated?: Pick<UsageTotals, 'inputAudioSeconds' | 'outputAudioSeconds' | 'inputAudioTokens' | 'outputAudioTokens'>;
}

/** Accumulates session metrics. */
export class SessionMetrics {
  #totals: MetricsSnapshot['totals'] = { responses: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, inputAudioTokens: 0, outputAudioTokens: 0 };
  #turns = 0;
  #lastLatency: TurnLatency | undefined;
  #lastSpeechStop: number | undefined;
  readonly #estimator: UsageEstimator | undefined;

  constructor(readonly model: ModelInfo | undefined) {
    this.#estimator = model ? new UsageEstimator(model) : undefined;
  }

  /** Notes audio sent (seconds). */
  inputAudio(seconds: number): void {
    this.#estimator?.addInputAudio(seconds);
  }

  /** Notes audio received (seconds). */
  outputAudio(seconds: number): void {
    this.#estimator?.addOutputAudio(seconds);
  }

  /** When the last `speech_stopped` arrived (performance.now()). */
  get lastSpeechStop(): number | undefined {
    return this.#lastSpeechStop;
  }

  /** Notes `speech_stopped`: a server-opened turn measures from here. */
  speechStopped(): void {
    this.#lastSpeechStop = performance.now();
  }

  /** Adds a response's usage. */
  addUsage(responseId: string, usage: Usage): MetricsSnapshot {
    const t = this.#totals;
    t.responses++;
    t.inputTokens += usage.input_tokens ?? 0;
    t.outputTokens += usage.output_tokens ?? 0;
    t.totalTokens += usage.total_tokens ?? 0;
    t.inputAudioTokens += usage.input_tokens_details?.audio_tokens ?? 0;
    t.outputAudioTokens += usage.output_tokens_details?.audio_tokens ?? 0;
    this.#estimator?.endTurn();
    return { ...this.snapshot(), responseId, usage };
  }

  /** Notes the end of a turn. */
  turnEnded(latency: TurnLatency): void {
    this.#turns++;
    this.#lastLatency = { ...latency };
  }

  /** The totals so far. */
  snapshot(): MetricsSnapshot {
    const snap: MetricsSnapshot = { totals: { ...this.#totals }, turns: this.#turns };
    if (this.#lastLatency) snap.lastLatency = { ...this.#lastLatency };
    if (this.#estimator) {
      const e = this.#estimator.totals;
      snap.estimated = { inputAudioSeconds: e.inputAudioSeconds, outputAudioSeconds: e.outputAudioSeconds, inputAudioTokens: e.inputAudioTokens, outputAudioTokens: e.outputAudioTokens };
    }
    return snap;
  }
}
