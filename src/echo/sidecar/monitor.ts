// The sidecar's monitor: probes the server every interval, each probe bounded, and says when it
// starts or stops answering. What the registrations do with that is the sidecar's (main.ts): the
// etcd lease is renewed after each answered probe only, so a server that stops answering loses it
// within the lease's TTL, however alive its process looks.
import type { Probe, ProbeResult } from './probe.js';

export interface MonitorOptions {
  intervalMs: number;
  /** An answer later than this is none (at most the interval). */
  boundMs: number;
}

export interface MonitorEvents {
  /** After every probe. */
  probed?(r: ProbeResult, healthy: boolean): void;
  /** When the answer changes: the first probe, then every flip. */
  changed?(healthy: boolean, r: ProbeResult): void;
}

export class Monitor {
  healthy = false;
  last?: ProbeResult;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly probe: Probe,
    private readonly options: MonitorOptions,
    private readonly events: MonitorEvents = {},
  ) {
    if (!(options.boundMs > 0 && options.boundMs <= options.intervalMs))
      throw new RangeError(`the probe's bound (${options.boundMs} ms) must be above 0 and at most its interval (${options.intervalMs} ms)`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      const r = await this.probe.check(this.options.boundMs);
      if (this.stopped) return;
      this.last = r;
      const flipped = first || r.ok !== this.healthy;
      this.healthy = r.ok;
      first = false;
      if (flipped) this.events.changed?.(r.ok, r);
      this.events.probed?.(r, r.ok);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, this.options.intervalMs - r.ms));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.probe.close();
  }
}
