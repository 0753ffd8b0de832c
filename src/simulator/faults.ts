/**
 * Faults on demand, per connection, so that a client's error handling (reconnects, timeouts,
 * malformed frames, `error` events, §4.1, §5.1) can be tested against the simulator. Counts
 * are of server events actually sent (injected frames do not count).
 */
import type { ErrorDetail } from '../protocol/index.js';
import type { HandshakeRefusal } from './options.js';

/** What goes wrong on one connection. Every field is optional; several may be combined. */
export interface FaultPlan {
  /** Refuse the upgrade with this HTTP status and DashScope body (§1.3). */
  refuseHandshake?: HandshakeRefusal;
  /** Drop the TCP connection (no close frame) once this many server events were sent. */
  dropAfterEvents?: number;
  /** Drop the TCP connection (no close frame) this many ms after the upgrade. */
  dropAfterMs?: number;
  /** Close with {@link closeCode} / {@link closeReason} once this many server events were sent. */
  closeAfterEvents?: number;
  /** Close with {@link closeCode} / {@link closeReason} this many ms after the upgrade. */
  closeAfterMs?: number;
  /** Close code for `closeAfter*`. Default 1011. */
  closeCode?: number;
  /** Close reason for `closeAfter*`. Default `""`. */
  closeReason?: string;
  /** Send an `error` event once this many server events were sent. */
  errorAfterEvents?: number;
  /** The injected error; missing fields default to a `server_error` "Internal service error: injected fault". */
  error?: Partial<ErrorDetail>;
  /** Keep the connection open after an injected `server_error` (normally it closes, §4.1). */
  keepOpenAfterError?: boolean;
  /** Delay every server event by this many ms (order is kept). */
  delayMs?: number;
  /** Send a text frame that is not JSON once this many server events were sent. */
  malformedAfterEvents?: number;
  /** The malformed frame. Default `{"type":"response.audio.delta","delta":` (truncated JSON). */
  malformedFrame?: string;
  /**
   * Once this many server events were sent, the response streaming then (if any) is superseded
   * by a new one without its `.done` events and `response.done` (§0.2.8); checked again after
   * every event until a response is active.
   */
  supersedeAfterEvents?: number;
}

/** Facts about a connection, for choosing its faults. */
export interface ConnectionInfo {
  /** 0 for the first upgrade that passed authentication and model checks, then 1, 2, … (upgrades refused by a fault plan count too). */
  index: number;
  /** The `model` query parameter. */
  model: string;
}

/** Chooses the faults of each connection. */
export type FaultSelector = (info: ConnectionInfo) => FaultPlan | undefined;

/** What a {@link FaultInjector} may do to its connection. */
export interface FaultActions {
  /** Destroy the socket without a close frame. */
  drop(): void;
  /** Close with a close frame. */
  close(code: number, reason: string): void;
  /** Send an `error` event (not counted). */
  sendError(detail: ErrorDetail): void;
  /** Send a raw text frame (not counted). */
  sendRaw(text: string): void;
  /** Supersede the active response; false when none is active (§0.2.8). */
  supersede(): boolean;
}

const DEFAULT_MALFORMED = '{"type":"response.audio.delta","delta":';

/** Carries out one {@link FaultPlan} on one connection. */
export class FaultInjector {
  private readonly timers: NodeJS.Timeout[] = [];
  private done = new Set<string>();

  constructor(
    private readonly plan: FaultPlan,
    private readonly actions: FaultActions,
  ) {}

  /** Delay applied to every outgoing event, in ms. */
  get delayMs(): number {
    const d = this.plan.delayMs;
    return typeof d === 'number' && d > 0 ? d : 0;
  }

  /** Arms the timers and fires the faults planned "after 0 events". */
  start(): void {
    const { dropAfterMs, closeAfterMs } = this.plan;
    if (typeof dropAfterMs === 'number') this.timers.push(setTimeout(() => this.actions.drop(), dropAfterMs));
    if (typeof closeAfterMs === 'number') this.timers.push(setTimeout(() => this.close(), closeAfterMs));
    this.onEventsSent(0);
  }

  /** Called after every counted event with the number sent so far. */
  onEventsSent(count: number): void {
    const p = this.plan;
    if (this.due('malformed', p.malformedAfterEvents, count)) this.actions.sendRaw(p.malformedFrame ?? DEFAULT_MALFORMED);
    if (this.due('error', p.errorAfterEvents, count)) {
      const detail: ErrorDetail = {
        type: p.error?.type ?? 'server_error',
        code: p.error?.code ?? 'internal_error',
        message: p.error?.message ?? 'Internal service error: injected fault',
        param: p.error?.param ?? '',
        event_id: p.error?.event_id ?? '',
      };
      this.actions.sendError(detail);
      if (detail.type === 'server_error' && !p.keepOpenAfterError) this.actions.close(this.plan.closeCode ?? 1011, '');
    }
    if (this.due('supersede', p.supersedeAfterEvents, count) && !this.actions.supersede()) {
      this.done.delete('supersede'); // no response streaming yet: try again after the next event
    }
    if (this.due('close', p.closeAfterEvents, count)) this.close();
    if (this.due('drop', p.dropAfterEvents, count)) this.actions.drop();
  }

  /** Cancels the timers (the connection is closing). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
  }

  private close(): void {
    this.actions.close(this.plan.closeCode ?? 1011, this.plan.closeReason ?? '');
  }

  private due(name: string, threshold: number | undefined, count: number): boolean {
    if (typeof threshold !== 'number' || count < threshold || this.done.has(name)) return false;
    this.done.add(name);
    return true;
  }
}

/**
 * Ready-made plans for the live faults protocol.md §0.2 reports; combine with `setNextFaults` or
 * the `faults` option. Each takes the event count after which it fires (default 1: after
 * `session.created`).
 */
export const faultPresets = Object.freeze({
  /**
   * §0.2.27: a model-serving failure mid-session: `error` with code `COMMON_ERROR` and a
   * `<50002> InternalError.Algo.ModelServingError: …` message (a `server_error`: the socket then
   * closes with 1011; the official client reconnects and replays).
   */
  modelServingError(afterEvents = 1): FaultPlan {
    return {
      errorAfterEvents: afterEvents,
      error: { type: 'server_error', code: 'COMMON_ERROR', message: '<50002> InternalError.Algo.ModelServingError: model serving failed, please retry.', param: '', event_id: '' },
      closeCode: 1011,
    };
  },
  /** §0.2.13: quota or concurrency exhausted mid-session: a close whose reason says `insufficient_quota` (code 1008 by default; the live code is not reported). */
  quotaClose(afterEvents = 1, code = 1008): FaultPlan {
    return { closeAfterEvents: afterEvents, closeCode: code, closeReason: 'insufficient_quota: you exceeded your current quota' };
  },
  /** §0.2.8: the next response streaming after `afterEvents` events is superseded by a new one without its `response.done`. */
  supersededResponse(afterEvents = 1): FaultPlan {
    return { supersedeAfterEvents: afterEvents };
  },
});
