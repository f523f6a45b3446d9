// Exponential backoff for the lab's retry loops, on grpc-js's own BackoffTimeout (jittered,
// doubling to a maximum). The timer never keeps the process alive, and stop() ends a wait at once,
// so a destroyed resolver or balancer leaves no timer behind.
import { experimental } from '@grpc/grpc-js';

export class Backoff {
  private readonly timer: experimental.BackoffTimeout;
  private wake?: () => void;
  private stopped = false;

  constructor(opts: { initialMs: number; maxMs: number; multiplier?: number; jitter?: number }) {
    this.timer = new experimental.BackoffTimeout(() => this.fire(), {
      initialDelay: opts.initialMs,
      maxDelay: opts.maxMs,
      multiplier: opts.multiplier ?? 2,
      jitter: opts.jitter ?? 0.2,
    });
    this.timer.unref();
  }

  private fire(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Starts the next delay; resolves when it has passed (or at once once stopped). Returns the delay in ms. */
  start(): { ms: number; done: Promise<void> } {
    if (this.stopped) return { ms: 0, done: Promise.resolve() };
    const done = new Promise<void>((resolve) => (this.wake = resolve));
    this.timer.runOnce();
    return { ms: Math.max(0, this.timer.getEndTime().getTime() - Date.now()), done };
  }

  /** After a success: the next delay starts from the initial one again. */
  reset(): void {
    this.timer.reset();
  }

  /** Ends the current wait and refuses new ones: the loop that waits should then exit. */
  stop(): void {
    this.stopped = true;
    this.timer.stop();
    this.fire();
  }
}
