// One direction of a proxied connection: bytes from `src` to `dst`, through the fault in force.
// With no fault the bytes go straight through (a write per chunk, with backpressure); with one,
// each chunk waits in an ordered queue until its release time (latency, jitter, bandwidth).
import type { Socket } from 'node:net';
import { appliesTo, type LinkFault } from '../../wire/index.js';

const HIGH_WATER = 1 << 20; // queued bytes above which the source is paused
const LOW_WATER = 1 << 18;

interface Item {
  at: number;
  chunk?: Buffer;
  /** The source's FIN, delivered in order after the bytes before it. */
  end?: boolean;
}

export interface PipeCounters {
  bytes: number;
  dropped: number;
}

export class Pipe {
  private queue: Item[] = [];
  private head = 0;
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastTx = 0;
  private lastRelease = 0;
  private paused = false;
  private waitingDrain = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly dir: 'down' | 'up',
    private readonly fault: () => LinkFault,
    private readonly counters: PipeCounters,
  ) {
    src.on('data', (chunk: Buffer) => this.push(chunk));
    src.on('end', () => this.pushEnd());
  }

  private push(chunk: Buffer): void {
    const f = this.fault();
    const on = appliesTo(f, this.dir);
    if (on && f.blackhole) {
      this.counters.dropped += chunk.length;
      return;
    }
    if (this.pending() === 0 && (!on || (!f.latencyMs && !f.jitterMs && !f.bandwidthBps))) {
      this.write(chunk);
      return;
    }
    const now = performance.now();
    // Bandwidth: slices of ~1/20 s of the rate, so a big chunk trickles rather than jumps.
    const slice = on && f.bandwidthBps ? Math.max(256, Math.floor(f.bandwidthBps / 20)) : chunk.length;
    for (let off = 0; off < chunk.length; off += slice) {
      const part = chunk.subarray(off, off + slice);
      let at = now;
      if (on && f.bandwidthBps) {
        this.lastTx = Math.max(now, this.lastTx) + (part.length / f.bandwidthBps) * 1000;
        at = this.lastTx;
      }
      if (on) at += delayOf(f);
      this.enqueue({ at, chunk: part });
    }
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.src.pause();
    }
  }

  private pushEnd(): void {
    const f = this.fault();
    if (appliesTo(f, this.dir) && f.blackhole) return; // the FIN vanishes too: the other side never hears
    if (this.pending() === 0 && !f.slowCloseMs) {
      this.dst.end();
      return;
    }
    this.enqueue({ at: performance.now() + f.slowCloseMs, end: true });
  }

  private pending(): number {
    return this.queue.length - this.head;
  }

  private enqueue(item: Item): void {
    // Order is kept: nothing overtakes what was sent before it (TCP is a stream).
    item.at = Math.max(item.at, this.lastRelease);
    this.lastRelease = item.at;
    this.queue.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.pending() === 0) return;
    const wait = Math.max(0, this.queue[this.head].at - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now() + 0.5;
    while (this.pending() > 0 && this.queue[this.head].at <= now) {
      const item = this.queue[this.head++];
      if (item.end) this.dst.end();
      else if (item.chunk) {
        this.queued -= item.chunk.length;
        this.write(item.chunk);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.paused && this.queued < LOW_WATER) {
      this.paused = false;
      if (!this.waitingDrain) this.src.resume();
    }
    this.schedule();
  }

  private write(chunk: Buffer): void {
    if (this.dst.destroyed) return;
    this.counters.bytes += chunk.length;
    if (!this.dst.write(chunk) && !this.waitingDrain) {
      this.waitingDrain = true;
      this.src.pause();
      this.dst.once('drain', () => {
        this.waitingDrain = false;
        if (!this.paused) this.src.resume();
      });
    }
  }

  /** Drops whatever is queued (the connection is going away). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
    this.queued = 0;
  }
}

function delayOf(f: LinkFault): number {
  if (!f.jitterMs) return f.latencyMs;
  return Math.max(0, f.latencyMs + (Math.random() * 2 - 1) * f.jitterMs);
}
