/**
 * Progress, speed and time left for the UI, on both sides. Feed it the bytes done so far (sent
 * and drained, or verified) whenever convenient; it keeps a sliding window of samples so the
 * speed follows the last few seconds, not the average since the start (a resume starts at 40 %).
 */
export interface ProgressSnapshot {
  /** 0..1 */
  fraction: number;
  /** Bytes per second over the window; 0 until there are two samples. */
  bytesPerSecond: number;
  /** Seconds left at the current speed, or null when unknown. */
  secondsLeft: number | null;
}

export class ProgressMeter {
  readonly total: number;
  private readonly windowMs: number;
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(total: number, windowMs = 3000) {
    this.total = total;
    this.windowMs = windowMs;
  }

  /** Records that `doneBytes` bytes are done at time `nowMs` (performance.now()). */
  update(doneBytes: number, nowMs: number): ProgressSnapshot {
    const last = this.samples[this.samples.length - 1];
    if (last && nowMs - last.t < 50) last.bytes = doneBytes; // at most ~20 samples a second
    else this.samples.push({ t: nowMs, bytes: doneBytes });
    while (this.samples.length > 2 && nowMs - (this.samples[1]?.t ?? nowMs) >= this.windowMs) this.samples.shift();
    return this.snapshot();
  }

  /**
   * Starts over at `doneBytes` (e.g. a resumed transfer learning how much the other side has):
   * the jump is not counted as speed.
   */
  reset(doneBytes: number, nowMs: number): ProgressSnapshot {
    this.samples.length = 0;
    return this.update(doneBytes, nowMs);
  }

  snapshot(): ProgressSnapshot {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const done = last?.bytes ?? 0;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (!first || !last || last.t <= first.t) return { fraction, bytesPerSecond: 0, secondsLeft: null };
    const bytesPerSecond = Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.t - first.t));
    const secondsLeft = bytesPerSecond > 0 ? Math.max(0, this.total - done) / bytesPerSecond : null;
    return { fraction, bytesPerSecond, secondsLeft };
  }
}
