/**
 * Taking video frames at the rate the service wants (about 1 fps, protocol.md §3.5 and §5.5)
 * from a camera or decoder that produces many more: every frame sent is billed as an image
 * (§2.6) and counts against the video history limit (§2.2).
 */
import { ValidationError } from '../errors.js';

/** Options of {@link FrameSampler} and {@link sampleFrames}. */
export interface FrameSamplerOptions {
  /** Frames per second to keep; default 1 (§5.5). */
  fps?: number;
  /**
   * Frame rate of the source, for sources without real timing (frames decoded from a file as fast
   * as they can be read): frame i is then taken to be at i / sourceFps seconds. Without it, the
   * time a frame arrives is used.
   */
  sourceFps?: number;
  /** Clock in milliseconds for arrival times; default `performance.now()`. */
  now?: () => number;
}

function checkFps(fps: number, name: string): void {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new ValidationError(`${name} must be a positive number of frames per second, got ${fps}`, name);
}

/**
 * Decides, frame by frame, whether to keep it: the first frame, then the first frame at or after
 * each 1/fps step. Steps are counted from the first frame (not from the previous kept frame), so
 * source jitter does not drift the rate down; after a gap longer than a step, counting restarts.
 */
export class FrameSampler {
  /** Milliseconds between kept frames. */
  readonly intervalMs: number;
  private readonly now: () => number;
  private next: number | undefined;

  constructor(options: Pick<FrameSamplerOptions, 'fps' | 'now'> = {}) {
    const fps = options.fps ?? 1;
    checkFps(fps, 'fps');
    this.intervalMs = 1000 / fps;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether a frame at `timeMs` (default: now) should be kept. */
  accept(timeMs: number = this.now()): boolean {
    // The tolerance keeps frame 30 of a 30 fps source on the 1 s step despite rounding.
    if (this.next !== undefined && timeMs < this.next - 1e-6) return false;
    this.next = this.next === undefined ? timeMs + this.intervalMs : this.next + this.intervalMs;
    if (this.next <= timeMs) this.next = timeMs + this.intervalMs;
    return true;
  }

  /** Forgets the schedule: the next frame is kept. */
  reset(): void {
    this.next = undefined;
  }
}

/** The frames of `source` thinned to `fps` (1 by default); the rest are skipped, not buffered. */
export async function* sampleFrames<T>(source: AsyncIterable<T> | Iterable<T>, options: FrameSamplerOptions = {}): AsyncGenerator<T, void, undefined> {
  const sampler = new FrameSampler(options);
  const sourceFps = options.sourceFps;
  if (sourceFps !== undefined) checkFps(sourceFps, 'sourceFps');
  let index = 0;
  for await (const frame of source) {
    const time = sourceFps === undefined ? undefined : (index * 1000) / sourceFps;
    index++;
    if (sampler.accept(time)) yield frame;
  }
}
