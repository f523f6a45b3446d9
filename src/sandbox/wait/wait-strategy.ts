// Readiness as small strategies (testcontainers' wait-strategies): each probe says ready or why not;
// waitUntil polls it, races a timeout, and stops early when the container has died.
import { setTimeout as sleep } from 'node:timers/promises';
import { keepAliveWhile } from '../../util/keep-alive.js';
import { deadline } from '../../util/deadline.js';

export type ProbeResult = { ready: true } | { ready: false; reason: string };

export interface WaitStrategy {
  /** What is awaited, for messages: "etcd /health", "Consul leader". */
  readonly what: string;
  probe(signal: AbortSignal): Promise<ProbeResult>;
  /** Frees what the probes kept between them (a channel); waitUntil calls it when the wait ends. */
  close?(): void;
}

export const READY: ProbeResult = { ready: true };
export const notReady = (reason: string): ProbeResult => ({ ready: false, reason });

export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly lastReason: string,
    readonly afterMs: number,
  ) {
    super(`${what} not ready after ${(afterMs / 1000).toFixed(1)} s (last: ${lastReason})`);
  }
}
WaitTimeout.prototype.name = 'WaitTimeout';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Checked between probes: a reason to give up now (e.g. "container exited with code 1"). */
  fatal?: () => Promise<string | undefined>;
}

export async function waitUntil(strategy: WaitStrategy, opts: WaitOptions): Promise<void> {
  try {
    // Held open: while a probe is in flight, its deadline (unref'd) may be all node has to wait on.
    await keepAliveWhile(() => poll(strategy, opts));
  } finally {
    strategy.close?.();
  }
}

async function poll(strategy: WaitStrategy, opts: WaitOptions): Promise<void> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 50;
  let last: string;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    const probe = deadline(Math.max(500, interval * 5), opts.signal);
    try {
      // Raced with its own deadline: a probe that ignores its signal cannot hold the wait forever.
      const r = await Promise.race([strategy.probe(probe.signal), rejectWhenAborted(probe.signal)]);
      if (r.ready) return;
      last = r.reason;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      probe.clear();
    }
    if (Date.now() - started >= opts.timeoutMs) throw new WaitTimeout(strategy.what, last, Date.now() - started);
    if (opts.fatal && attempt % 5 === 4) {
      const fatal = await opts.fatal();
      if (fatal) throw new WaitTimeout(strategy.what, fatal, Date.now() - started);
    }
    await sleep(interval, undefined, { signal: opts.signal });
  }
}

const rejectWhenAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

/** Ready when every strategy is ready (probed in order; reports the first that is not). */
export function allOf(what: string, ...strategies: WaitStrategy[]): WaitStrategy {
  return {
    what,
    async probe(signal) {
      for (const s of strategies) {
        const r = await s.probe(signal);
        if (!r.ready) return notReady(`${s.what}: ${r.reason}`);
      }
      return READY;
    },
    close() {
      for (const s of strategies) s.close?.();
    },
  };
}
