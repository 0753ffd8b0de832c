/**
 * The turn state machine: which response belongs to which turn, when a turn is over, and what
 * an interruption cuts. Its invariants, with the protocol.md sections they come from:
 * - only the output of the turn's own open response reaches the turn and the player: a cancelled
 *   response's late audio is dropped (§5.3), so is an open response's once another starts (§0.2.8);
 * - a cut (`interrupt()`, barge-in) ends the turn at once; the cut response is over at its end
 *   signal or `cancelSettleMs` later (the service may send no `response.done`, §5.3), and only then
 *   is the next `response.create` sent (§3.6);
 * - only audio actually cut is "interrupted": a reply that finished playing stays completed, one
 *   `interrupted` per cut, the heard part recorded once;
 * - an interrupted tool turn aborts its tools and gets no reply; a tool result gets one reply, even
 *   when the service answers it by itself in VAD mode (§0.2.9);
 * - a request the service refuses ends its turn: `rejected` for semantic VAD (§0.2.3), else `failed`;
 * - with `turn_detection.create_response: false`, one `response.create` per VAD commit (§0.2.6).
 */
import { pcm16FromBase64 } from '../audio/pcm.js';
import type { RealtimeTransport } from '../transport/realtimeTransport.js';
import { RealtimeError, ServerError } from '../errors.js';
import { redactorOf } from '../internal/redact.js';
import { newClientItemId } from '../protocol/ids.js';
import type { Usage } from '../protocol/items.js';
import type { ErrorEvent } from '../protocol/serverEvents.js';
import type { ConversationHistory } from './history.js';
import { PlaybackGate, type PlaybackAdapter } from './interruption.js';
import type { SessionMetrics } from './metrics.js';
import { ResponseSequencer } from './responseSequencer.js';
import type { RealtimeSessionEvents } from './sessionOptions.js';
import { ToolCalls } from './toolCalls.js';
import type { Tool } from './tools.js';
import { Turn, type TurnResult } from './turn.js';

/** §0.2.3: semantic VAD refused the speech; non-fatal, no reply follows. */
const SEMANTIC_REJECTION = /not accepted by semantic turn detection/i;
/** Responses whose late output is dropped, remembered (bounded). */
const MAX_CUT = 16;
/** How long after a tool turn's reply an unasked response counts as a duplicate answer to the tool result (§0.2.9). */
const DUPLICATE_WINDOW_MS = 5000;

/** What the machine needs from its session. */
export interface TurnHost {
  /** The current client (replaced on reconnect). */
  client(): RealtimeTransport;
  readonly history: ConversationHistory;
  readonly metrics: SessionMetrics;
  emit<K extends keyof RealtimeSessionEvents>(event: K, payload: RealtimeSessionEvents[K]): void;
  /** The declared tools. */
  tools(): ReadonlyMap<string, Tool>;
  /** Aborted when the session closes. */
  signal(): AbortSignal;
  /** A turn ended, or the last response is over: a due rollover may go now. */
  idle(): void;
}

/** Settings of the machine. */
export interface TurnSettings {
  toolExecution?: 'auto' | 'manual';
  playback?: PlaybackAdapter;
  cancelSettleMs?: number;
}

/** The turns of one session, across its connections. */
export class TurnMachine {
  readonly #sequencer: ResponseSequencer;
  readonly #playback: PlaybackGate;
  readonly #toolCalls: ToolCalls;
  readonly #manual: boolean;
  /** Asked turns whose response has not started yet, oldest first. */
  #pendingTurns: Turn[] = [];
  /** The turn receiving a response or running its tools. */
  #turn: Turn | undefined;
  /** The response `#turn` is receiving: only its output reaches the turn and the player. */
  #turnResponse: string | undefined;
  /** Responses cut or superseded: their late output is dropped (§5.3, §0.2.8). */
  readonly #cutResponses = new Set<string>();
  /** Event ids of the last `response.create` and `response.cancel` sent. */
  #lastCreate: string | undefined;
  #lastCancel: string | undefined;
  /** After a tool continuation in VAD mode, until `#duplicateUntil`: a response nobody asked for is a duplicate (§0.2.9). */
  #duplicateGuard = false;
  #duplicateUntil = 0;
  #userSpeaking = false;

  constructor(
    private readonly host: TurnHost,
    settings: TurnSettings,
  ) {
    this.#manual = settings.toolExecution === 'manual';
    this.#playback = new PlaybackGate(settings.playback);
    this.#sequencer = new ResponseSequencer(settings.cancelSettleMs ?? 5000, () => host.idle());
    this.#toolCalls = new ToolCalls({
      tools: () => host.tools(),
      manual: this.#manual,
      signal: () => host.signal(),
      toolCall: (call) => host.emit('tool_call', call),
      toolResult: (result) => host.emit('tool_result', result),
      sendOutput: (callId, output) => this.#sendOutput(callId, output),
      continue: () => this.#continueAfterTools(),
    });
  }

  /** True while a turn is streaming, waiting for its reply, running tools, or a cancelled response has not settled. */
  get busy(): boolean {
    return this.#turn !== undefined || this.#pendingTurns.length > 0 || this.#sequencer.active;
  }

  /** Between the user's `speech_started` and its end (no rollover then). */
  get userSpeaking(): boolean {
    return this.#userSpeaking;
  }

  /** Routes `client`'s events into the machine; returns the functions that remove the listeners. */
  attach(client: RealtimeTransport): Array<() => void> {
    const live = (responseId: string) => responseId === this.#turnResponse && !this.#cutResponses.has(responseId);
    // The client's redactor: a key split over two deltas must not come out whole in turn.result.
    const redactor = redactorOf(client);
    return [
      client.on('response.created', (e) => this.#responseCreated(e.response.id)),
      client.on('response.audio_transcript.delta', (e) => live(e.response_id) && this.#turn?.transcriptDelta(e.delta, false, redactor)),
      client.on('response.text.delta', (e) => live(e.response_id) && this.#turn?.transcriptDelta(e.delta, true, redactor)),
      client.on('response.audio.delta', (e) => {
        const pcm = pcm16FromBase64(e.delta);
        this.host.metrics.outputAudio(pcm.length / client.outputSampleRate);
        // Nothing of a cancelled or superseded response reaches the turn or the player (§5.3, §0.2.8).
        if (!live(e.response_id)) return;
        this.#turn?.audioDelta(pcm);
        this.#playback.write(pcm, client.outputSampleRate, e.item_id);
      }),
      client.on('response.function_call_arguments.done', (e) => {
        if (!live(e.response_id)) return;
        this.#toolCalls.add(e);
        this.#turn?.toolCall({ callId: e.call_id, name: e.name, arguments: e.arguments });
      }),
      client.on('response.output_item.done', (e) => {
        this.#sequencer.itemDone(e.response_id);
        if (live(e.response_id)) this.#noteCalls([e.item]);
      }),
      client.on('response.done', (e) => {
        if (live(e.response.id)) this.#noteCalls(e.response.output);
        this.#responseDone(e.response.status, e.response.id, e.response.usage);
      }),
      client.on('input_audio_buffer.speech_started', () => {
        this.#userSpeaking = true;
        this.#duplicateGuard = false;
        this.cut(false);
      }),
      client.on('input_audio_buffer.speech_stopped', () => {
        this.#userSpeaking = false;
        this.host.metrics.speechStopped();
      }),
      client.on('input_audio_buffer.committed', () => {
        this.#userSpeaking = false;
        // §0.2.6: with create_response off the service waits for our request, sent after each
        // commit (as the Qwen team's client does), through the sequencer like every request.
        if (client.session?.turn_detection?.create_response === false) this.requestResponse();
      }),
    ];
  }

  /** A turn from `ask()`, its input about to be sent: it takes the next response that starts. */
  asked(turn: Turn): void {
    this.#pendingTurns.push(turn);
    this.#duplicateGuard = false;
  }

  /** Asks for a response now, or once the active one is over. */
  requestResponse(): void {
    this.#sequencer.request(() => this.#createResponse());
  }

  #createResponse(): string {
    this.#lastCreate = this.host.client().createResponse();
    return this.#lastCreate;
  }

  #responseCreated(id: string): void {
    const { previous, cut, requested } = this.#sequencer.started(id);
    if (cut) {
      // The answer to a request cancelled before it started: dropped whole.
      this.#remember(id);
      return;
    }
    if (!requested && !this.#turn && this.#duplicateGuard && performance.now() < this.#duplicateUntil) {
      // §0.2.9: the service answered the tool result by itself and then our request too: one reply only.
      this.#duplicateGuard = false;
      this.#remember(id);
      this.#sequencer.cut();
      if (this.host.client().isConnected) this.#lastCancel = this.host.client().cancelResponse();
      return;
    }
    if (previous !== undefined) {
      // §0.2.8: a response started while the previous one was open: that one is over, its late output dropped.
      this.#remember(previous);
      this.host.history.endResponse(previous, 'completed');
      if (this.#turn && this.#turnResponse === previous) this.end(this.#turn, 'completed');
    }
    const turn = this.#turn ?? this.#pendingTurns.shift() ?? this.#serverTurn();
    this.#turn = turn;
    this.#turnResponse = id;
    turn.responseCreated(id);
  }

  #remember(responseId: string): void {
    this.#cutResponses.add(responseId);
    if (this.#cutResponses.size > MAX_CUT) this.#cutResponses.delete(this.#cutResponses.values().next().value!);
  }

  /** A response the service started by itself (VAD, idle re-engagement) is a turn of its own. */
  #serverTurn(): Turn {
    const turn = new Turn(this.host.client().outputSampleRate);
    turn.markInputEnd(this.host.metrics.lastSpeechStop ?? performance.now());
    this.host.emit('turn', turn);
    return turn;
  }

  /** Function calls seen only as output items (a looser peer than the service, issue 19): run like the others, once each. */
  #noteCalls(items: unknown): void {
    for (const call of this.#toolCalls.addFromItems(items)) this.#turn?.toolCall({ callId: call.call_id, name: call.name, arguments: call.arguments });
  }

  #responseDone(status: string, responseId: string, usage: Usage | undefined): void {
    if (usage) this.host.emit('usage', this.host.metrics.addUsage(responseId, usage));
    const turn = this.#turn;
    const ours = turn !== undefined && responseId === this.#turnResponse;
    if (ours && usage) turn.usage(usage);
    const withTools = ours && status === 'completed' && this.#toolCalls.collected > 0;
    // With tools to run (auto mode), the continuation goes before any queued request; else the next request is sent.
    if (!(withTools && !this.#manual && this.#sequencer.hold(responseId))) this.#sequencer.ended(responseId);
    if (!ours) return; // a cancelled, superseded or older response: its turn is already over
    this.#turnResponse = undefined;
    if (status === 'cancelled' || status === 'incomplete') this.end(turn, 'interrupted');
    else if (status === 'failed') this.end(turn, 'failed', new RealtimeError(`Response ${responseId} failed.`, 'response_failed'));
    else if (withTools) {
      this.#toolCalls.run(turn).catch((error: unknown) => {
        // The connection went away while the tools ran (the output could not be sent): the close
        // handling ends the turn; this must not become an unhandled rejection.
        this.host.emit('error', error instanceof RealtimeError ? error : new RealtimeError(String(error), 'tool_output_failed', { cause: error }));
      });
    }
    else this.end(turn, 'completed');
  }

  #continueAfterTools(): void {
    // VAD mode: the service may answer a tool result by itself as well (§0.2.9).
    this.#duplicateGuard = this.host.client().session?.turn_detection != null;
    this.#duplicateUntil = Infinity;
    if (this.#manual) this.requestResponse();
    else this.#sequencer.release(() => this.#createResponse());
  }

  #sendOutput(callId: string, output: string): void {
    const id = newClientItemId();
    this.host.history.noteFunctionOutput(id, callId, output);
    this.host.client().send({ type: 'conversation.item.create', item: { id, type: 'function_call_output', call_id: callId, output } });
  }

  /** Answers a manual tool call; false for a call dropped by an interruption. */
  submitToolOutput(callId: string, output: string | Record<string, unknown>): boolean {
    return this.#toolCalls.submit(callId, output);
  }

  /** Ends `turn` (once) with `status`. */
  end(turn: Turn, status: TurnResult['status'], error?: Error): void {
    if (this.#turn === turn) {
      this.#turn = undefined;
      this.#turnResponse = undefined;
    }
    const pending = this.#pendingTurns.indexOf(turn);
    if (pending >= 0) this.#pendingTurns.splice(pending, 1);
    if (turn.ended) return;
    // A duplicate answer to a tool result comes right after the reply, or not at all (§0.2.9).
    if (this.#duplicateGuard) this.#duplicateUntil = performance.now() + DUPLICATE_WINDOW_MS;
    turn.end(status, error);
    this.host.metrics.turnEnded(turn.result.latency);
    this.host.idle();
  }

  /**
   * A server `error`. Returns true when the machine dealt with it: a refusal of our pending
   * `response.create` ends its turn; a refusal after a response started is harmless (§0.2.9).
   * Semantic-VAD rejections are reported as `speech_rejected`, never as `error` (§0.2.3).
   */
  serverError(e: ErrorEvent): boolean {
    const error = new ServerError(e.error, e.event_id);
    // A cancel that raced the response's own end finds nothing to cancel: harmless (§3.7).
    if (error.eventId !== undefined && error.eventId === this.#lastCancel) return true;
    const rejected = SEMANTIC_REJECTION.test(error.message);
    if (error.eventId !== undefined && error.eventId === this.#lastCreate) {
      if (this.#sequencer.refused(error.eventId)) {
        // No response will come for our request: its turn ends (§0.2.3: rejected, without a reply).
        const turn = this.#turn ?? this.#pendingTurns[0];
        if (turn) this.end(turn, rejected ? 'rejected' : 'failed', rejected ? undefined : error);
      } else if (!rejected) {
        this.#duplicateGuard = false; // the service answered by itself: no duplicate will come
        return true;
      }
    }
    if (!rejected) return false;
    this.host.emit('speech_rejected', { error });
    return true;
  }

  /**
   * One cut: by the application (`interrupt()`, which sends `response.cancel`), or by the user's
   * speech (VAD, where the service stops a started response itself, §5.3). Does nothing when
   * nothing is streaming, unplayed or running.
   */
  cut(byApplication: boolean): void {
    const client = this.host.client();
    const played = this.#playback.stop(client.outputSampleRate);
    // Over WebRTC the reply plays from the media track, not through our player: ask the transport.
    const media = played.itemId === undefined ? client.mediaPlayback?.stop() : undefined;
    const stop = media ?? played;
    const responding = byApplication ? this.#sequencer.responding : this.#sequencer.streaming;
    const tools = this.#toolCalls.busy;
    if (!responding && !stop.cut && !tools) return; // nothing was cut: the reply had finished playing
    let turn = this.#turn;
    let cutId: string | undefined;
    if (responding) {
      if (!turn && this.#sequencer.responseId === undefined) turn = this.#pendingTurns[0]; // requested, not started
      cutId = this.#sequencer.cut();
      if (cutId !== undefined) this.#remember(cutId);
      if (byApplication && client.isConnected) this.#lastCancel = client.cancelResponse();
    }
    if (tools) {
      this.#toolCalls.abort();
      this.#sequencer.release();
    }
    const item = stop.itemId ? this.host.history.interrupt(stop.itemId, stop.heardMs, media?.streamedMs) : undefined;
    for (const itemId of played.unheard) this.host.history.interrupt(itemId, 0); // queued behind the playhead
    if (cutId !== undefined) this.host.history.endResponse(cutId, 'interrupted'); // its other items, §5.3
    if (turn && (responding || tools)) this.end(turn, 'interrupted');
    this.host.emit('interrupted', { itemId: stop.itemId, heardMs: stop.heardMs, heardText: item?.heard?.text ?? '' });
  }

  /** The connection is gone: every turn in flight fails with `error`; nothing of it is kept. */
  fail(error: Error): void {
    this.#sequencer.reset();
    this.#toolCalls.abort();
    this.#cutResponses.clear();
    this.#turnResponse = undefined;
    this.#userSpeaking = false;
    this.#duplicateGuard = false;
    this.#playback.stop(this.host.client().outputSampleRate);
    const turns = [this.#turn, ...this.#pendingTurns];
    this.#turn = undefined;
    this.#pendingTurns = [];
    for (const turn of turns) turn?.end('failed', error);
  }
}
