/**
 * One accepted WebSocket: reads frames (text JSON only, §1.4), enforces the frame-size and
 * duration (§2.5) limits, sends events through the fault injector, records every
 * frame (redacted), and hands parsed events to the {@link SimulatedSession}. A failure inside one
 * connection ends that connection only (a `server_error`, then close, §4.1).
 */
import { WebSocket } from 'ws';
import { newServerId, type ErrorDetail, type ModelInfo, type ServerEventType } from '../protocol/index.js';
import { errorText, invalidRequest, serverError } from './errors.js';
import { parseClientFrame } from './eventParser.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { EventFields, Outbox } from './outbox.js';
import { describeFrame, redactEvent, type FrameRecord } from './recorder.js';
import { SimulatedSession } from './simulatedSession.js';

/** What a connection reports to its server. */
export interface ConnectionHooks {
  /** A frame went in or out (already redacted). */
  record(record: FrameRecord): void;
  /** A log line (never holds the key). */
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The socket closed. */
  closed(connection: Connection): void;
}

type Queued = { kind: 'event'; text: string; event: Record<string, unknown>; at: number } | { kind: 'close'; code: number | undefined; reason: string; at: number };

const HIGH_WATER = 1024 * 1024;
const MAX_QUEUED = 512;
/** A client that stops reading while the server keeps sending is dropped past this (memory bound). */
const MAX_UNSENT = 64 * 1024 * 1024;

/** One client connection. */
export class Connection implements Outbox {
  private readonly session: SimulatedSession;
  private readonly faults: FaultInjector;
  private readonly queue: Queued[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  private limitTimer: NodeJS.Timeout | undefined;
  private sent = 0;
  private closing = false;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    /** Connection index (0, 1, …). */
    readonly index: number,
    /** The model bound by the URL (§1.1). */
    readonly model: ModelInfo,
    private readonly options: ResolvedOptions,
    plan: FaultPlan | undefined,
    private readonly hooks: ConnectionHooks,
  ) {
    this.session = new SimulatedSession(model, options, this);
    this.faults = new FaultInjector(plan ?? {}, {
      drop: () => this.terminate(),
      close: (code, reason) => this.closeNow(code, reason),
      sendError: (detail) => this.deliverRaw(JSON.stringify({ event_id: newServerId('event'), type: 'error', error: detail })),
      sendRaw: (text) => this.deliverRaw(text),
      supersede: () => this.session.supersedeResponse(),
    });
  }

  /** The session id announced in `session.created`. */
  get sessionId(): string {
    return this.session.state.session.id;
  }

  /** Whether the connection is closing or closed. */
  get closed(): boolean {
    return this.closing || this.ended || this.ws.readyState !== WebSocket.OPEN;
  }

  /** Wires the socket, arms the limits and faults, and sends `session.created`. */
  start(): void {
    this.ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data as Buffer, isBinary);
      } catch (error) {
        this.hooks.log('error', `connection ${this.index}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        this.fatal('Internal service error: null');
      }
    });
    this.ws.on('error', (error) => this.hooks.log('warn', `connection ${this.index}: ${error.message}`));
    this.ws.on('close', (code) => this.onClose(code));
    const limitMs = this.options.maxSessionMs ?? this.model.limits.sessionMinutes * 60_000;
    this.limitTimer = setTimeout(() => this.onSessionLimit(limitMs), Math.min(limitMs, 2 ** 31 - 1));
    this.faults.start();
    if (!this.closed) this.session.start();
  }

  // --- Outbox ---

  /** @inheritdoc */
  emit<T extends ServerEventType>(type: T, fields: EventFields<T>): void {
    if (this.closed) return;
    const event = { event_id: newServerId('event'), type, ...fields };
    // Serialised now: later changes to the objects must not leak into a delayed frame.
    this.enqueue({ kind: 'event', text: JSON.stringify(event), event, at: Date.now() + this.faults.delayMs });
  }

  /** @inheritdoc */
  error(detail: ErrorDetail): void {
    this.emit('error', { error: detail });
  }

  /** @inheritdoc */
  close(code: number | undefined, reason: string, afterMs = 0): void {
    if (this.closed) return;
    this.enqueue({ kind: 'close', code, reason, at: Date.now() + this.faults.delayMs + afterMs });
    this.closing = true;
  }

  /** @inheritdoc */
  fatal(message: string): void {
    if (this.closed) return;
    this.error(serverError(message));
    this.close(this.options.closeCodes.serverError, 'server error');
  }

  /** @inheritdoc */
  async drained(): Promise<void> {
    while (!this.closed && (this.ws.bufferedAmount > HIGH_WATER || this.queue.length > MAX_QUEUED)) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  /** Closes now with a close frame (after nothing else); no `code`: a close frame without a status (1005 at the peer). */
  closeNow(code: number | undefined, reason: string): void {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      if (code === undefined) this.ws.close();
      else this.ws.close(code, reason);
    }
  }

  // --- sending ---

  private enqueue(item: Queued): void {
    if (this.queue.length === 0 && item.at <= Date.now()) return this.deliver(item);
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    if (this.pumpTimer) return;
    const head = this.queue[0];
    if (!head) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      while (this.queue.length > 0 && this.queue[0]!.at <= Date.now()) this.deliver(this.queue.shift()!);
      this.pump();
    }, Math.max(0, head.at - Date.now()));
  }

  private deliver(item: Queued): void {
    if (item.kind === 'close') return this.closeNow(item.code, item.reason);
    if (this.ended || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > MAX_UNSENT) {
      this.hooks.log('warn', `connection ${this.index}: the client does not read; dropping it`);
      return this.terminate();
    }
    this.ws.send(item.text);
    this.hooks.record({ t: Date.now(), connection: this.index, direction: 'server', event: redactEvent(item.event) });
    this.faults.onEventsSent(++this.sent);
  }

  private deliverRaw(text: string): void {
    if (this.ended || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(text);
    let event: Record<string, unknown> | undefined;
    try {
      event = JSON.parse(text) as Record<string, unknown>;
    } catch {
      event = undefined;
    }
    this.hooks.record(event ? { t: Date.now(), connection: this.index, direction: 'server', event: redactEvent(event) } : { t: Date.now(), connection: this.index, direction: 'server', frame: text });
  }

  // --- receiving ---

  private onMessage(data: Buffer, isBinary: boolean): void {
    const t = this.options.errorTexts;
    const base = { t: Date.now(), connection: this.index, direction: 'client' as const };
    if (isBinary) {
      this.hooks.record({ ...base, frame: describeFrame(data, true) });
      return this.error(invalidRequest(errorText('binaryFrame', t)));
    }
    if (data.length > this.options.maxFrameBytes) {
      this.hooks.record({ ...base, frame: describeFrame(data, false) });
      return this.error(invalidRequest(errorText('frameTooLarge', t, { size: data.length, limit: this.options.maxFrameBytes })));
    }
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) {
      this.hooks.record(parsed.data ? { ...base, event: redactEvent(parsed.data) } : { ...base, frame: describeFrame(data, false) });
      const p = parsed.problem;
      return this.error(invalidRequest(errorText(p.kind, t, p.values), { param: p.param, eventId: p.eventId }));
    }
    this.hooks.record({ ...base, event: redactEvent(parsed.event as unknown as Record<string, unknown>) });
    this.session.handle(parsed.event, parsed.eventId);
  }

  // --- limits and lifecycle ---

  private onSessionLimit(limitMs: number): void {
    if (this.closed) return;
    if (this.options.errorBeforeSessionLimitClose) {
      this.error(invalidRequest(`Session exceeded the maximum duration of ${Math.round(limitMs / 60_000)} minutes.`, { code: 'session_expired' }));
    }
    this.close(this.options.closeCodes.sessionLimit, 'session duration limit reached');
  }

  private onClose(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.closing = true;
    clearTimeout(this.limitTimer);
    clearTimeout(this.pumpTimer);
    this.queue.length = 0;
    this.faults.stop();
    this.session.dispose();
    this.hooks.log('info', `connection ${this.index} closed (${code})`);
    this.hooks.closed(this);
  }
}
