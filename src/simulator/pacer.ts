/**
 * Real-time pacing of responses with a speed factor: at speed 1 a second of reply audio takes a
 * second to stream (§4.17), at speed 2 half a second, at speed 0 it goes out as fast as the
 * socket takes it (for tests). Waits are on an absolute schedule, so timer jitter does not add
 * up over a long reply, and a {@link Wake} ends a wait early (cancel, barge-in, close).
 */

/** Ends the wait it is passed to, early. */
export class Wake {
  private wakers = new Set<() => void>();
  private woken = false;

  /** Ends every current and future wait that uses this wake. */
  wake(): void {
    this.woken = true;
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Whether {@link wake} was called. */
  get done(): boolean {
    return this.woken;
  }

  /** @internal Registers a waiter; returns its removal. */
  add(waker: () => void): () => void {
    if (this.woken) {
      waker();
      return () => {};
    }
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }
}

/** Schedules the events of one response against the wall clock. */
export class Pacer {
  private readonly start = performance.now();

  /** @param speed 1 real time, 2 twice as fast, 0 no waiting. */
  constructor(private readonly speed: number) {}

  /**
   * Waits until `offsetMs` of response time (divided by the speed) has passed since the pacer
   * was made. At speed 0 it yields to the event loop once, so incoming client events (a cancel)
   * are still handled between deltas.
   */
  until(offsetMs: number, wake: Wake): Promise<void> {
    if (wake.done) return Promise.resolve();
    const delay = this.speed > 0 ? this.start + offsetMs / this.speed - performance.now() : 0;
    return new Promise((resolve) => {
      let remove: () => void = () => {};
      const finish = (): void => {
        remove();
        clearTimeout(timer);
        clearImmediate(immediate);
        resolve();
      };
      const timer = delay > 1 ? setTimeout(finish, delay) : undefined;
      const immediate = delay > 1 ? undefined : setImmediate(finish);
      remove = wake.add(finish);
    });
  }
}
