// Retry with exponential backoff (50 ms doubling to 1 s, grpc-js's BackoffTimeout) until `fn`
// succeeds or `stopped()` says to give up. The echo server's registrations use it: a backend often
// starts before its registries.
import { experimental } from '@grpc/grpc-js';

export async function retryWithBackoff(what: string, fn: () => Promise<void>, stopped: () => boolean, log: (msg: string) => void): Promise<void> {
  let wake = () => undefined as void;
  const backoff = new experimental.BackoffTimeout(() => wake(), { initialDelay: 50, maxDelay: 1000, multiplier: 2, jitter: 0.2 });
  backoff.unref();
  while (!stopped()) {
    try {
      return await fn();
    } catch (err) {
      const waited = new Promise<void>((resolve) => (wake = resolve));
      backoff.runOnce();
      log(`${what}: ${(err as Error).message}; retrying in ${Math.max(0, backoff.getEndTime().getTime() - Date.now())} ms`);
      await waited;
    }
  }
}
