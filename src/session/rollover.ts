/**
 * When to roll over to a new connection: `rolloverMarginMs` before the duration cap (§2.5,
 * §5.10), between turns only. A timer, so that an idle session rolls over too (otherwise the
 * service closes it at the cap and it comes back as a dropped connection); while a turn runs it
 * looks again every second, and the end of every turn looks at once.
 */

/** How often a due rollover looks again while a turn holds it. */
const RETRY_MS = 1000;

/** The rollover time of the current connection. */
export class RolloverSchedule {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dueAt = Infinity;

  /** @param attempt rolls over if the session is idle (it calls {@link stop} when it does) */
  constructor(private readonly attempt: () => void) {}

  /** True once the rollover time of the current connection has come. */
  get due(): boolean {
    return Date.now() >= this.#dueAt;
  }

  /** A connection opened at `openedAt` (epoch ms): due `marginMs` before `capMs` from then. */
  start(openedAt: number, capMs: number, marginMs: number): void {
    this.#dueAt = openedAt + capMs - marginMs;
    this.#arm(this.#dueAt - Date.now());
  }

  /** No rollover (the connection is going away, or went). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#dueAt = Infinity;
  }

  #arm(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.attempt();
      if (this.#dueAt !== Infinity) this.#arm(RETRY_MS); // a turn held it: look again
    }, Math.max(0, Math.min(delayMs, 2 ** 31 - 1)));
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
