/**
 * The protocol behaviour of one connection (§3 to §5): `session.created` with the model's
 * defaults, then every client event dispatched to the session state, the user input, the
 * conversation or the response scheduler, with a DashScope-shaped `error` for anything refused
 * (§4.1) and the session carrying on (§0.1.12). Also the VAD-driven behaviour that has no client
 * event: automatic responses, barge-in (§5.3), the `idle_timeout_ms` re-engagement (§3.1.3), the
 * inactivity close (§0.2.11) and the silent close of a broken voice (§0.2.2).
 */
import { newServerId, type ClientEvent, type ModelInfo } from '../protocol/index.js';
import { Conversation } from './conversation.js';
import { ConversationOrder } from './conversationOrder.js';
import { errorText, fillText, invalidRequest, LIVE_TEXTS, serverError } from './errors.js';
import { createItem, type ItemCreateContext } from './itemCreate.js';
import type { ResolvedOptions } from './options.js';
import type { Outbox } from './outbox.js';
import { defaultResponder, describeAudio } from './responder.js';
import { ResponseScheduler } from './responseScheduler.js';
import { SessionState } from './sessionState.js';
import { UserInput } from './userInput.js';

type Json = Record<string, unknown>;

/** The live service closes a broken-voice turn about 11 ms after `speech_stopped` (§0.2.2). */
const SILENT_CLOSE_MS = 11;

/** The protocol side of one connection. */
export class SimulatedSession {
  /** The effective session. */
  readonly state: SessionState;
  private readonly conversation: Conversation;
  private readonly order: ConversationOrder;
  private inactivity: NodeJS.Timeout | undefined;
  private readonly user: UserInput;
  private readonly scheduler: ResponseScheduler;
  private readonly items: ItemCreateContext;
  private finishing = false;
  private audioProduced = false;
  private idle: { silentMs: number; timer: NodeJS.Timeout | undefined } | null = null;

  constructor(
    readonly model: ModelInfo,
    private readonly options: ResolvedOptions,
    private readonly out: Outbox,
  ) {
    this.state = new SessionState(model, {
      mode: options.sessionUpdateMode,
      unsupportedFields: options.unsupportedFields,
      lockVoiceAfterAudio: options.lockVoiceAfterAudio,
    });
    this.conversation = new Conversation(model, options.maxHistoryEntries);
    this.order = new ConversationOrder(out);
    this.user = new UserInput(model, options, this.state, this.conversation, out, this.order, options.transcribe ?? describeAudio, {
      speechStarted: () => this.onSpeechStarted(),
      speechStopped: () => {
        if (this.voiceBroken) this.silentClose();
      },
      vadCommitted: () => this.onVadCommitted(),
      audioAppended: (ms, speaking) => this.onAudio(ms, speaking),
    });
    this.scheduler = new ResponseScheduler({
      model,
      session: this.state,
      conversation: this.conversation,
      conversationId: newServerId('conv'),
      responder: options.responder ?? defaultResponder,
      sink: { emit: (type, fields) => out.emit(type, fields), drained: () => out.drained(), announce: (item) => this.order.created(item) },
      settings: {
        speed: options.speed,
        chunkMs: options.audioChunkMs,
        textDeltaMs: options.textDeltaMs,
        firstOutputDelayMs: options.firstOutputDelayMs,
        responseDoneAfterCancel: options.responseDoneAfterCancel,
        supersede: options.supersedeResponses,
      },
      takeInput: () => this.user.takeInput(),
      fatal: (message) => out.fatal(message),
      onResponseEnd: (_status, audioMs) => {
        if (audioMs > 0) this.audioProduced = true;
        this.user.flushLate();
        this.armIdle();
        this.armInactivity();
      },
    });
    this.items = {
      model,
      options,
      out,
      order: this.order,
      conversation: this.conversation,
      pending: () => this.user.pending,
      callName: (id) => this.scheduler.callName(id),
    };
  }

  /** Sends `session.created`, the first event of every connection (§1.4, §4.2). */
  start(): void {
    this.out.emit('session.created', { session: this.state.session });
    this.armInactivity();
  }

  /** Stops responses and timers; sends nothing more. */
  dispose(): void {
    this.disarmIdle();
    clearTimeout(this.inactivity);
    this.scheduler.stop();
  }

  /** A response superseded by another without its `response.done` (§0.2.8; the fault preset). */
  supersedeResponse(): boolean {
    if (!this.scheduler.busy || this.out.closed) return false;
    this.scheduler.supersede();
    return true;
  }

  /** Handles one parsed client event. */
  handle(event: ClientEvent, eventId: string): void {
    if (this.finishing) return; // session.finish was accepted: the session is winding down (§3.9)
    const t = this.options.errorTexts;
    switch (event.type) {
      case 'session.update':
        return this.updateSession(event.session, eventId);
      case 'input_audio_buffer.append':
        return this.user.append(event, eventId);
      case 'input_audio_buffer.commit':
        return this.user.commit(eventId);
      case 'input_audio_buffer.clear':
        return this.user.clear();
      case 'input_image_buffer.append':
        return this.user.appendImage(event, eventId);
      case 'response.create': {
        if (!this.state.manual && this.user.speaking) {
          return this.out.error(invalidRequest(LIVE_TEXTS.userSpeaking, { eventId })); // §0.2.12
        }
        this.user.flushDeferred();
        if (this.voiceBroken) return this.silentClose();
        if (this.user.takeRejection()) {
          return this.out.error({ type: 'invalid_request_error', message: LIVE_TEXTS.semanticRejected, event_id: eventId }); // §0.2.3
        }
        this.disarmIdle();
        const r = event.response ?? {};
        const result = this.scheduler.request({ trigger: 'client', instructions: r.instructions ?? null, modalities: r.modalities ?? null });
        if (result === 'refused') {
          this.out.error(invalidRequest(errorText('responseInProgress', t, { response_id: this.scheduler.activeId ?? '' }), { eventId }));
        }
        return;
      }
      case 'response.cancel':
        if (!this.scheduler.cancel('client_cancelled')) this.out.error(invalidRequest(errorText('nothingToCancel', t), { eventId }));
        return;
      case 'conversation.item.create': {
        const kind = createItem(this.items, event.item as unknown as Json, eventId);
        // §0.2.9 (option): in a VAD mode the service may answer a tool result by itself.
        if (kind === 'function_call_output' && this.options.answerAfterToolOutput && !this.state.manual) this.scheduler.request({ trigger: 'vad' });
        return;
      }
      case 'session.finish':
        return this.finish(eventId);
    }
  }

  private updateSession(config: unknown, eventId: string): void {
    const refusal = this.state.update(config, { audioStarted: this.user.audioStarted, audioProduced: this.audioProduced });
    if (refusal) {
      const message = refusal.textKind ? errorText(refusal.textKind, this.options.errorTexts, { param: refusal.param }) : refusal.message;
      this.out.error(invalidRequest(message, { param: refusal.param, eventId }));
      // 3P measured: an unknown voice is refused and the socket closed (§2.4, §4.23 (d)).
      if (refusal.voice && this.options.unknownVoice === 'error-and-close') this.out.close(this.options.closeCodes.unsupportedVoice, 'Voice not supported');
      return;
    }
    this.user.configure();
    if (this.idleTimeoutMs() === null) this.disarmIdle();
    this.out.emit('session.updated', { session: this.state.session });
  }

  /** `session.finish` (§3.9, §0.1.1): `session.finished` once pending work is done, then close; or an `error` on models that answer so. */
  private finish(eventId: string): void {
    const mode = this.options.sessionFinish === 'per-model' ? this.model.sessionFinish : this.options.sessionFinish;
    if (mode === 'error') {
      this.out.error(invalidRequest(errorText('unknownEventType', this.options.errorTexts, { type: 'session.finish' }), { param: 'type', eventId }));
      return;
    }
    this.finishing = true;
    this.disarmIdle();
    clearTimeout(this.inactivity); // the session is ending on request: no inactivity close
    void (async () => {
      await this.scheduler.whenIdle();
      await this.user.settled();
      this.user.flushLate();
      if (this.out.closed) return;
      this.out.emit('session.finished', {});
      this.out.close(this.options.closeCodes.sessionFinished, '');
    })().catch((error: unknown) => this.out.fatal(`Internal service error: ${error instanceof Error ? error.message : String(error)}`));
  }

  private onSpeechStarted(): void {
    this.disarmIdle();
    // §5.3: speech during a response stops it (unless interrupt_response is false).
    if (this.scheduler.busy && this.state.turnDetection?.interrupt_response !== false) this.scheduler.cancel('turn_detected');
  }

  /** The session's voice is one the service accepts and then fails on silently (§0.2.2). */
  private get voiceBroken(): boolean {
    return this.options.silentVoiceFailure && this.model.silentFailureVoices.includes(this.state.voice);
  }

  /** §0.2.2: a close frame without a status code ~11 ms later, no `error`, no `response.*`. */
  private silentClose(): void {
    this.out.close(undefined, '', SILENT_CLOSE_MS);
  }

  // --- inactivity (§0.2.11): time without a response generated, not time without client frames ---

  private armInactivity(): void {
    clearTimeout(this.inactivity);
    const ms = this.options.idleTimeoutMs;
    if (ms <= 0 || this.out.closed || this.finishing) return;
    this.inactivity = setTimeout(() => this.guarded(() => this.onInactive(ms)), Math.min(ms, 2 ** 31 - 1));
  }

  private onInactive(ms: number): void {
    if (this.out.closed) return;
    if (this.scheduler.busy) return this.armInactivity(); // a response is being generated
    this.out.error(serverError(fillText(LIVE_TEXTS.inactivity, { seconds: Math.ceil(ms / 1000) })));
    this.out.close(this.options.closeCodes.idleTimeout, 'no response generated');
  }

  private onVadCommitted(): void {
    if (this.out.closed) return;
    if (this.state.turnDetection?.create_response === false) return;
    if (this.user.takeRejection()) {
      this.out.error({ type: 'invalid_request_error', message: LIVE_TEXTS.semanticRejected }); // §0.2.3, no request to name
      return;
    }
    this.disarmIdle();
    this.scheduler.request({ trigger: 'vad' });
  }

  // --- idle_timeout_ms (§3.1.3): after a response, user silence this long starts a response. ---
  // Silence is counted on the audio timeline (deterministic, fast in tests) and, at speed > 0, on
  // the wall clock too (divided by the speed), whichever comes first.

  private idleTimeoutMs(): number | null {
    const td = this.state.turnDetection;
    if (!this.model.idleTimeout || !td || td.type !== 'server_vad' || typeof td.idle_timeout_ms !== 'number') return null;
    return td.idle_timeout_ms;
  }

  private armIdle(): void {
    this.disarmIdle();
    const ms = this.idleTimeoutMs();
    if (ms === null || this.finishing) return;
    const timer = this.options.speed > 0 ? setTimeout(() => this.guarded(() => this.fireIdle()), ms / this.options.speed) : undefined;
    this.idle = { silentMs: 0, timer };
  }

  private disarmIdle(): void {
    if (this.idle?.timer) clearTimeout(this.idle.timer);
    this.idle = null;
  }

  private onAudio(ms: number, speaking: boolean): void {
    const limit = this.idleTimeoutMs();
    if (!this.idle || limit === null || speaking || this.scheduler.busy) return;
    this.idle.silentMs += ms;
    if (this.idle.silentMs >= limit) this.fireIdle();
  }

  /** Runs `fn` from a timer: a failure ends this connection only, never the process. */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.out.fatal(`Internal service error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fireIdle(): void {
    this.disarmIdle();
    if (this.out.closed || this.scheduler.busy || this.user.speaking || this.finishing) return;
    this.scheduler.request({ trigger: 'idle' });
  }
}
