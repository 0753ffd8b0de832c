/**
 * The protocol behaviour of one connection (§3 to §5): `session.created` with the model's
 * defaults, then every client event dispatched to the session state, the user input, the
 * conversation or the response scheduler, with a DashScope-shaped `error` for anything refused
 * (§4.1) and the session carrying on (§0.1.12). Also the VAD-driven behaviour that has no client
 * event: automatic responses, barge-in (§5.3) and the `idle_timeout_ms` re-engagement (§3.1.3).
 */
import { newServerId, type ClientEvent, type ConversationItemCreateEvent, type ModelInfo } from '../protocol/index.js';
import { Conversation } from './conversation.js';
import { errorText, invalidRequest } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Outbox } from './outbox.js';
import { defaultResponder, describeAudio } from './responder.js';
import { ResponseScheduler } from './responseScheduler.js';
import { SessionState } from './sessionState.js';
import { UserInput } from './userInput.js';

type Json = Record<string, unknown>;

/** The protocol side of one connection. */
export class SimulatedSession {
  /** The effective session. */
  readonly state: SessionState;
  private readonly conversation: Conversation;
  private readonly user: UserInput;
  private readonly scheduler: ResponseScheduler;
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
    this.user = new UserInput(model, options, this.state, this.conversation, out, options.transcribe ?? describeAudio, {
      speechStarted: () => this.onSpeechStarted(),
      vadCommitted: () => this.onVadCommitted(),
      audioAppended: (ms, speaking) => this.onAudio(ms, speaking),
    });
    this.scheduler = new ResponseScheduler({
      model,
      session: this.state,
      conversation: this.conversation,
      conversationId: newServerId('conv'),
      responder: options.responder ?? defaultResponder,
      sink: out,
      settings: {
        speed: options.speed,
        chunkMs: options.audioChunkMs,
        textDeltaMs: options.textDeltaMs,
        firstOutputDelayMs: options.firstOutputDelayMs,
        responseDoneAfterCancel: options.responseDoneAfterCancel,
      },
      takeInput: () => this.user.takeInput(),
      fatal: (message) => out.fatal(message),
      onResponseEnd: (_status, audioMs) => {
        if (audioMs > 0) this.audioProduced = true;
        this.armIdle();
      },
    });
  }

  /** Sends `session.created`, the first event of every connection (§1.4, §4.2). */
  start(): void {
    this.out.emit('session.created', { session: this.state.session });
  }

  /** Stops responses and timers; sends nothing more. */
  dispose(): void {
    this.disarmIdle();
    this.scheduler.stop();
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
        this.user.flushDeferred();
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
      case 'conversation.item.create':
        return this.createItem(event.item as unknown as Json, eventId);
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

  /** `conversation.item.create` (§3.8): a tool result, a text message, or (qwen3.8) an MCP approval. */
  private createItem(item: Json, eventId: string): void {
    const bad = (param: string, reason: string) => this.out.error(invalidRequest(errorText('invalidItem', this.options.errorTexts, { param, reason }), { param, eventId }));
    const id = typeof item.id === 'string' && item.id !== '' ? item.id : newServerId('item');
    const pending = this.user.pending;
    if (item.type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') return bad('item.call_id', 'expected the call_id of a function call.');
      if (typeof item.output !== 'string') return bad('item.output', 'expected a string (a JSON string is recommended).');
      // Any call_id is accepted, also one this session never issued (the official tools trace does that).
      this.out.emit('conversation.item.created', { item: { id, object: 'realtime.item', type: 'function_call_output', status: 'completed', call_id: item.call_id, output: item.output } });
      const name = this.conversation.callName(item.call_id);
      pending.toolOutputs.push(name === undefined ? { callId: item.call_id, output: item.output } : { callId: item.call_id, name, output: item.output });
      pending.historyEntries++;
      this.conversation.add({ role: 'tool', text: item.output, billText: true, audioMs: 0, audioFactor: 1, imageTokens: [] });
      return;
    }
    if (item.type === 'message') {
      if (!this.model.textInput) return bad('item.type', `model ${this.model.id} does not take text input.`);
      const role = item.role ?? 'user';
      if (role !== 'user' && role !== 'assistant' && role !== 'system') return bad('item.role', "expected 'user', 'assistant' or 'system'.");
      const content = item.content;
      const parts = Array.isArray(content) ? content : [];
      const ok = parts.length > 0 && parts.every((p: unknown) => typeof p === 'object' && p !== null && ((p as Json).type === 'input_text' || (p as Json).type === 'text') && typeof (p as Json).text === 'string');
      if (!ok) return bad('item.content', "expected a list of {type: 'input_text', text} parts.");
      const clean = parts.map((p: Json) => ({ type: p.type as 'input_text' | 'text', text: p.text as string }));
      const text = clean.map((p) => p.text).join('');
      this.out.emit('conversation.item.created', { item: { id, object: 'realtime.item', type: 'message', status: 'completed', role, content: clean } });
      if (role === 'user') {
        pending.texts.push(text);
        pending.historyEntries++;
      }
      this.conversation.add({ role: role === 'assistant' ? 'assistant' : 'user', text, billText: true, audioMs: 0, audioFactor: 1, imageTokens: [] });
      return;
    }
    if (item.type === 'mcp_approval_response') {
      if (!this.model.mcpTools) return bad('item.type', `model ${this.model.id} has no MCP tools.`);
      if (typeof item.approval_request_id !== 'string' || typeof item.approve !== 'boolean') return bad('item', 'expected approval_request_id (string) and approve (boolean).');
      this.out.emit('conversation.item.created', { item: { id, object: 'realtime.item', type: 'mcp_approval_response', approval_request_id: item.approval_request_id, approve: item.approve } });
      return;
    }
    return bad('item.type', "expected 'function_call_output' or 'message'.");
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
    void (async () => {
      await this.scheduler.whenIdle();
      await this.user.settled();
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

  private onVadCommitted(): void {
    if (this.state.turnDetection?.create_response === false) return;
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
