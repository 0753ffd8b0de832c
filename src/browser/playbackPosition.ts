/**
 * How much of the queued reply has actually been heard. The player's worklet reports, every few
 * render quanta, how many frames it has played and how many it still holds, stamped with the
 * audio clock; `stop()` must answer at once (PlaybackAdapter is synchronous), so the position in
 * between is extrapolated from the audio clock, never past what was queued. The error is at most
 * one report interval (4 render quanta: 21 ms at 24 kHz, 11 ms at 48 kHz).
 */

/** A position report from the worklet. */
export interface PositionReport {
  /** Stop generation the report belongs to (reports from before a stop are stale). */
  generation: number;
  /** Frames played since the last stop, at the context rate. */
  played: number;
  /** Frames still queued in the worklet. */
  buffered: number;
  /** The audio clock (frames) at the end of the reported quantum. */
  frame: number;
}

/** Tracks the worklet's position for one player. */
export class PlaybackPosition {
  private generation = 0;
  private last: PositionReport = { generation: 0, played: 0, buffered: 0, frame: 0 };
  private posted = 0;

  /** Frames posted to the worklet since the last stop (at the context rate). */
  get queued(): number {
    return this.posted;
  }

  /** The current stop generation (sent with each stop so stale reports can be told apart). */
  get currentGeneration(): number {
    return this.generation;
  }

  /** Records `frames` posted to the worklet. */
  addPosted(frames: number): void {
    this.posted += frames;
  }

  /** Takes a report; stale ones (from before the last stop) are ignored. */
  report(report: PositionReport): void {
    if (report.generation === this.generation) this.last = report;
  }

  /** Frames played by now, `nowFrame` being the audio clock in frames (`currentTime × sampleRate`). */
  estimate(nowFrame: number, running: boolean): number {
    // The worklet reports even while idle, so `since` is at most one report interval; samples
    // posted after the report may have started playing too, but never more than were posted.
    const since = running ? Math.max(0, nowFrame - this.last.frame) : 0;
    return Math.min(this.posted, this.last.played + since);
  }

  /** Frames still to be heard. */
  remaining(nowFrame: number, running: boolean): number {
    return Math.max(0, this.posted - this.estimate(nowFrame, running));
  }

  /** Starts a new generation (after a stop), returning it; `startFrame` is the audio clock now. */
  reset(startFrame: number): number {
    this.generation++;
    this.last = { generation: this.generation, played: 0, buffered: 0, frame: startFrame };
    this.posted = 0;
    return this.generation;
  }
}
