/**
 * A token bucket for one browser connection's frame rate: `perSecond` tokens refill each second
 * and the bucket holds two seconds' worth, so a tab that was throttled in the background and then
 * flushes its queued audio is not cut off, while a page that floods is.
 */

/** Frame-rate limiter of one connection. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  /** `perSecond` 0 disables the limit. `now` is injectable for tests. */
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = perSecond * 2;
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the frame is over the limit). */
  take(): boolean {
    if (this.perSecond <= 0) return true;
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
