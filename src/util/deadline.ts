// A deadline as an abort signal that is sure to fire. Not AbortSignal.any([AbortSignal.timeout(ms),
// ...]): in Node 20 a timeout signal inside a composite can be garbage-collected before it fires
// (nodejs/node#57736), and whatever the deadline bounds then waits for good. A readiness wait with
// a 30 s limit was seen stuck for 119 s that way, until the test around it sent SIGTERM. Lint
// refuses the composite form (eslint.config.js).

export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer and lets go of the outer signals (call it when the work is done). */
  clear(): void;
}

/** Aborts after `ms` (a TimeoutError), or as soon as any of `outer` aborts (with its reason). */
export function deadline(ms: number, ...outer: Array<AbortSignal | undefined>): Deadline {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException(`timeout after ${ms} ms`, 'TimeoutError')), ms);
  // Like AbortSignal.timeout's, the timer alone keeps no process alive (a wait holds it with keepAliveWhile).
  timer.unref();
  const signals = outer.filter((s): s is AbortSignal => !!s);
  const onAbort = (e: Event) => ac.abort((e.target as AbortSignal).reason);
  for (const s of signals) {
    if (s.aborted) {
      ac.abort(s.reason);
      break;
    }
    s.addEventListener('abort', onAbort, { once: true });
  }
  const clear = () => {
    clearTimeout(timer);
    for (const s of signals) s.removeEventListener('abort', onAbort);
  };
  ac.signal.addEventListener('abort', clear, { once: true });
  return { signal: ac.signal, clear };
}
