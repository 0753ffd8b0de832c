/**
 * Never two `response.create` at once: the service refuses one while a response is active
 * (protocol.md §3.6, §5.2). Requests wait their turn and are sent when the active response is
 * over; the function-call continuation is the one exception the service queues itself (§0.1.7),
 * but waiting is always safe, so the sequencer waits in every case.
 *
 * "Over" is not only `response.done`: after a cancel or a barge-in the service may never send it
 * (§5.3, 3P measured none in 6/6 runs, only the `.done`s of the open item). A response that was
 * cut is therefore over at its `response.output_item.done`, its `response.done`, or `settleMs`
 * after the cut, whichever comes first. A `response.done` of an older response (late, after that
 * bound) never ends the current one: responses are matched by id.
 */

/** Where the sequencer stands. */
type State =
  | { kind: 'idle' }
  /** `response.create` sent (event id), no `response.created` yet; `cut` when cancelled before it started. */
  | { kind: 'requested'; eventId: string | undefined; cut: boolean }
  | { kind: 'active'; id: string; cut: boolean }
  /** A tool-call response ended and its tools run: the continuation goes before any queued request. */
  | { kind: 'held'; cut: boolean };

/** Serialises response requests. */
export class ResponseSequencer {
  #state: State = { kind: 'idle' };
  #queue: Array<() => string | void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param settleMs how long a cut response may stay open without an end signal (§5.3)
   * @param onIdle called each time the sequencer becomes idle with nothing queued
   */
  constructor(
    private readonly settleMs: number,
    private readonly onIdle: () => void = () => {},
  ) {}

  /** True from a request (or a `response.created`) until that response is over. */
  get active(): boolean {
    return this.#state.kind !== 'idle';
  }

  /** Requests waiting their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** The id of the open response, if it has started. */
  get responseId(): string | undefined {
    return this.#state.kind === 'active' ? this.#state.id : undefined;
  }

  /** True while a response is requested or streaming and has not been cut. */
  get responding(): boolean {
    return (this.#state.kind === 'requested' || this.#state.kind === 'active') && !this.#state.cut;
  }

  /** True while a response has started (`response.created`) and has not been cut. */
  get streaming(): boolean {
    return this.#state.kind === 'active' && !this.#state.cut;
  }

  /** Runs `send` (which returns the event id it sent) now if no response is active, else when the active one is over. */
  request(send: () => string | void): void {
    if (this.#state.kind !== 'idle') {
      this.#queue.push(send);
      return;
    }
    this.#send(send);
  }

  #send(send: () => string | void): void {
    const state: State = { kind: 'requested', eventId: undefined, cut: false };
    this.#state = state;
    let eventId: string | void;
    try {
      eventId = send();
    } catch (error) {
      // Not sent (the connection is going away): nothing is active.
      if (this.#state === state) this.#state = { kind: 'idle' };
      throw error;
    }
    if (this.#state === state) state.eventId = eventId || undefined;
  }

  /**
   * `response.created`: ours or the service's own (VAD, idle re-engagement). Returns the id of a
   * response that was still open (§0.2.8: a response may start without the previous one's
   * `response.done`; the caller ends it), whether the new one answers a request of ours
   * (`requested`) and whether that request was cut.
   */
  started(id: string): { previous: string | undefined; cut: boolean; requested: boolean } {
    const state = this.#state;
    const previous = state.kind === 'active' && state.id !== id ? state.id : undefined;
    const requested = state.kind === 'requested';
    const cut = requested && state.cut;
    clearTimeout(this.#timer);
    this.#state = { kind: 'active', id, cut };
    if (cut) this.#armSettle();
    return { previous, cut, requested };
  }

  /** `response.done` of `id`: true when it ended the open response (the next request is sent). */
  ended(id: string): boolean {
    if (this.#state.kind !== 'active' || this.#state.id !== id) return false;
    this.#next();
    return true;
  }

  /**
   * `response.done` of `id` with tool calls to run: like {@link ended}, but queued requests keep
   * waiting until {@link release}, so the continuation answers the calls before anything else.
   */
  hold(id: string): boolean {
    if (this.#state.kind !== 'active' || this.#state.id !== id) return false;
    clearTimeout(this.#timer);
    this.#state = { kind: 'held', cut: false };
    return true;
  }

  /** Ends a {@link hold}: sends `continuation` first if given, else the next queued request. */
  release(continuation?: () => string | void): void {
    if (this.#state.kind !== 'held') return;
    if (continuation) this.#send(continuation);
    else this.#next();
  }

  /** `response.output_item.done` of `responseId`: the end of a cut response (§5.3). */
  itemDone(responseId: string): void {
    if (this.#state.kind === 'active' && this.#state.cut && this.#state.id === responseId) this.#next();
  }

  /**
   * The open response (or the request not yet answered) is being cancelled. Returns the id of
   * the response cut, if it had started. It is over at its end signal or `settleMs` from now.
   */
  cut(): string | undefined {
    const state = this.#state;
    if (state.kind === 'idle' || state.kind === 'held' || state.cut) return undefined;
    state.cut = true;
    this.#armSettle();
    return state.kind === 'active' ? state.id : undefined;
  }

  /**
   * An `error` named the event id of our pending `response.create`: when no response started
   * for it, the request is over (true; the next one is sent). After a `response.created` the
   * refusal is harmless (§0.2.9: the service answered a tool result by itself) and false is returned.
   */
  refused(eventId: string): boolean {
    if (this.#state.kind !== 'requested' || this.#state.eventId !== eventId) return false;
    this.#next();
    return true;
  }

  #armSettle(): void {
    clearTimeout(this.#timer);
    const state = this.#state;
    this.#timer = setTimeout(() => {
      if (this.#state === state) this.#next();
    }, this.settleMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #next(): void {
    clearTimeout(this.#timer);
    this.#state = { kind: 'idle' };
    const next = this.#queue.shift();
    if (!next) return this.onIdle();
    try {
      this.#send(next);
    } catch {
      // The connection is going away; its close fails the turns that were waiting.
    }
  }

  /** Drops waiting requests and forgets the active response (the connection is gone). */
  reset(): void {
    clearTimeout(this.#timer);
    this.#state = { kind: 'idle' };
    this.#queue = [];
  }
}
