// Retry with exponential backoff (50 ms doubling to 1 s) until `fn` succeeds or `stopped()` says
// to give up. The echo server's registrations use it: a backend often starts before its registries.
export async function retryWithBackoff(what: string, fn: () => Promise<void>, stopped: () => boolean, log: (msg: string) => void): Promise<void> {
  let delay = 50;
  while (!stopped()) {
    try {
      return await fn();
    } catch (err) {
      log(`${what}: ${(err as Error).message}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
