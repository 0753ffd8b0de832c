/**
 * One response at a time (§3.6, §5.2): starts a response (`response.created`, the responder,
 * the {@link ResponseStream}, `response.done` with usage), refuses a `response.create` while one
 * is active — except that a `response.create` arriving after `response.function_call_arguments.done`
 * is queued behind the tool-call response still finishing (§0.1.7) — and cancels (§3.7, §5.3,
 * §0.1.4).
 */
import { newServerId, type ModelInfo, type Response, type ResponseStatus } from '../protocol/index.js';
import type { Conversation } from './conversation.js';
import type { Responder, ResponderImage, ResponderReply, ResponderToolOutput, ResponderTurn } from './responder.js';
import { ResponseStream, type StreamResult, type StreamSink, type StreamSpec } from './responseStream.js';
import type { SessionState } from './sessionState.js';
import { buildUsage } from './usage.js';

/** Why a response was asked for. */
export interface ResponseRequest {
  /** `client` (`response.create`), `vad` (end of speech, §5.2) or `idle` (`idle_timeout_ms`, §3.1.3). */
  trigger: 'client' | 'vad' | 'idle';
  /** Per-response instructions (`response.create.response.instructions`, §3.6). */
  instructions?: string | null;
  /** Per-response output modalities (§5.8). */
  modalities?: ('text' | 'audio')[] | null;
}

/** User input gathered since the last response, consumed by the next one. */
export interface PendingInput {
  audioMs: number;
  /** Transcripts of the committed audio turns (a promise while the transcriber runs). */
  transcripts: Array<string | null | Promise<string | null>>;
  texts: string[];
  images: ResponderImage[];
  toolOutputs: ResponderToolOutput[];
  /** History entries this input added (they are the current turn, not "earlier turns"). */
  historyEntries: number;
}

/** Everything the scheduler works with. */
export interface SchedulerContext {
  model: ModelInfo;
  session: SessionState;
  conversation: Conversation;
  conversationId: string;
  responder: Responder;
  sink: StreamSink;
  settings: Pick<StreamSpec, 'speed' | 'chunkMs' | 'textDeltaMs' | 'firstOutputDelayMs'> & {
    responseDoneAfterCancel: boolean;
    /** A request while a response is active supersedes it instead of being refused (§0.2.8). */
    supersede: boolean;
  };
  /** Takes (and clears) the pending input. */
  takeInput(): PendingInput;
  /** The responder failed: the connection reports a `server_error` and closes (§4.1). */
  fatal(message: string): void;
  /** A response ended (any status), with the ms of audio it sent. */
  onResponseEnd(status: ResponseStatus, audioMs: number): void;
}

interface Active {
  id: string;
  stream: ResponseStream;
  modalities: ('text' | 'audio')[];
  voice: string;
  cancelReason?: string;
}

const MAX_QUEUED = 4;

/** Runs the responses of one session, one at a time. */
export class ResponseScheduler {
  private active: Active | null = null;
  private readonly queue: ResponseRequest[] = [];
  private idleWaiters: Array<() => void> = [];
  private count = 0;
  private stopped = false;

  constructor(private readonly ctx: SchedulerContext) {}

  /** Whether a response is active. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** Id of the active response, if any. */
  get activeId(): string | undefined {
    return this.active?.id;
  }

  /**
   * Starts a response, or queues it behind a tool-call response that has sent its arguments
   * (§0.1.7). Returns `refused` when another response is active (the caller sends the error).
   */
  request(req: ResponseRequest): 'started' | 'queued' | 'refused' {
    if (this.stopped) return 'refused';
    if (this.active && this.ctx.settings.supersede && !this.active.stream.argumentsDone) {
      this.supersede(req);
      return 'started';
    }
    if (this.active) {
      // A client request after the arguments is queued once (§0.1.7); a second one, or one after
      // an automatic answer to the tool result (§0.2.9), is refused: never two replies to one result.
      const queueable = req.trigger === 'vad' || (req.trigger === 'client' && this.active.stream.argumentsDone && this.queue.length === 0);
      if (!queueable || this.queue.length >= MAX_QUEUED) return 'refused';
      this.queue.push(req);
      return 'queued';
    }
    this.start(req);
    return 'started';
  }

  /**
   * Starts a new response while the active one is still streaming: the old one stops where it is,
   * without its `.done` events and without `response.done` (§0.2.8, "some providers split one
   * answer across consecutive responses"). With no active response it simply starts one.
   */
  supersede(req: ResponseRequest = { trigger: 'client' }): void {
    if (this.stopped) return;
    const old = this.active;
    if (old) {
      this.active = null;
      old.stream.abandon();
      for (const call of old.stream.madeCalls) this.ctx.conversation.rememberCall(call.callId, call.name);
      this.ctx.onResponseEnd('incomplete', 0);
    }
    this.start(req);
  }

  /** The function name of a call this session made (also one whose response is still streaming, §0.1.7). */
  callName(callId: string): string | undefined {
    return this.ctx.conversation.callName(callId) ?? this.active?.stream.madeCalls.find((c) => c.callId === callId)?.name;
  }

  /** Cancels the active response (§3.7, §5.3); false when there is none. Barge-in also drops the queue. */
  cancel(reason: 'client_cancelled' | 'turn_detected'): boolean {
    if (!this.active) return false;
    if (reason === 'turn_detected') this.queue.length = 0;
    this.active.cancelReason = reason;
    this.active.stream.cancel();
    return true;
  }

  /** Resolves when no response is active or queued (for `session.finish`, §4.22). */
  whenIdle(): Promise<void> {
    if (!this.active && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops everything without sending more events (the socket is closing). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    const a = this.active;
    this.active = null;
    a?.stream.cancel();
    this.resolveIdle();
  }

  private responseObject(a: Active, status: ResponseStatus, output: Response['output']): Response {
    return {
      id: a.id,
      object: 'realtime.response',
      conversation_id: this.ctx.conversationId,
      status,
      modalities: a.modalities,
      voice: a.voice,
      output_audio_format: 'pcm',
      output,
    };
  }

  private start(req: ResponseRequest): void {
    const { ctx } = this;
    const modalities = req.modalities && req.modalities.length > 0 ? [...req.modalities] : ctx.session.modalities;
    const instructions = typeof req.instructions === 'string' ? req.instructions : ctx.session.instructions;
    const spec: StreamSpec = {
      responseId: newServerId('resp'),
      modalities,
      voice: ctx.session.voice,
      output: ctx.session.output,
      ...ctx.settings,
    };
    const active: Active = { id: spec.responseId, stream: undefined as unknown as ResponseStream, modalities, voice: spec.voice };
    const input = ctx.takeInput();
    const history = ctx.conversation.responderHistory();
    const usageInput = ctx.conversation.inputTokens(instructions);
    active.stream = new ResponseStream(spec, ctx.sink, (result) => this.finished(active, result, usageInput));
    this.active = active;
    ctx.sink.emit('response.created', { response: this.responseObject(active, 'in_progress', []) });
    const responseIndex = this.count++;
    void this.produce(active, async () => {
      const transcripts = (await Promise.all(input.transcripts)).filter((t): t is string => typeof t === 'string' && t !== '');
      const turn: ResponderTurn = {
        model: ctx.model,
        modalities,
        audioMs: input.audioMs,
        transcript: transcripts.length > 0 ? transcripts.join(' ') : null,
        text: input.texts.length > 0 ? input.texts.join('\n') : null,
        images: input.images,
        tools: ctx.session.tools,
        toolOutputs: input.toolOutputs,
        history: history.slice(0, Math.max(0, history.length - input.historyEntries)),
        responseIndex,
      };
      if (instructions !== undefined) turn.instructions = instructions;
      return ctx.responder(turn);
    });
  }

  private async produce(active: Active, makeReply: () => Promise<ResponderReply>): Promise<void> {
    let reply: ResponderReply;
    try {
      reply = await makeReply();
      if (typeof reply !== 'object' || reply === null) throw new Error('the responder returned no reply');
    } catch (error) {
      if (this.active !== active || active.stream.done) return;
      const message = error instanceof Error ? error.message : String(error);
      this.active = null;
      this.ctx.sink.emit('response.done', { response: { ...this.responseObject(active, 'failed', []), status_details: { type: 'failed', error: { type: 'server_error', code: 'responder_error', message } } } });
      this.ctx.fatal(`Internal service error: ${message}`);
      return;
    }
    try {
      await active.stream.run(reply);
    } catch (error) {
      if (this.active === active) this.ctx.fatal(`Internal service error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private finished(active: Active, result: StreamResult, usageInput: ReturnType<Conversation['inputTokens']>): void {
    if (this.active !== active) return; // stopped: the socket is closing
    this.active = null;
    const { ctx } = this;
    const status: ResponseStatus = result.status;
    for (const call of result.calls) ctx.conversation.rememberCall(call.callId, call.name);
    const said = result.calls.length > 0 ? result.calls.map((c) => `${c.name}(${c.arguments.trim()})`).join(' ') : result.fullText;
    // The interrupted assistant message stays whole in the model's context (§5.3, 3P).
    if (said !== '') ctx.conversation.add({ role: 'assistant', text: said, billText: true, audioMs: 0, audioFactor: 1, imageTokens: [] });
    const functionCall = result.calls.length > 0;
    const outText = functionCall ? result.calls.map((c) => c.name + c.arguments).join('') : result.sentText;
    const usage = buildUsage(ctx.model, usageInput, { text: outText, audioMs: result.audioMs, functionCall, search: ctx.session.session.enable_search === true });
    const response = { ...this.responseObject(active, status, result.items), usage };
    if (status === 'cancelled') {
      response.status_details = { type: 'cancelled', reason: active.cancelReason ?? 'client_cancelled' };
      if (ctx.settings.responseDoneAfterCancel) ctx.sink.emit('response.done', { response });
    } else {
      ctx.sink.emit('response.done', { response });
    }
    ctx.onResponseEnd(status, result.audioMs);
    const next = this.queue.shift();
    if (next && !this.stopped) this.start(next);
    else this.resolveIdle();
  }

  private resolveIdle(): void {
    if (this.active || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
