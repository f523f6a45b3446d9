// The `rpc-behavior` request metadata of grpc's xDS interop test server, as the lab's echo servers
// honour it (on grpc.testing.TestService and on Echo). Comma-separated entries, taken in order:
//   sleep-N                       wait N seconds, then go on
//   keep-open                     never answer (the call stays open until the client gives up)
//   error-code-N                  answer with status N
//   succeed-on-retry-attempt-N    on attempt N (grpc-previous-rpc-attempts = N), answer normally
//   hostname=X <entry>            the entry only on the server whose hostname is X
// Pure: what to do with one call, from its header values, this server's name and the attempt.

export type Plan =
  /** Wait this long (0: not at all), then: answer normally, stay open, or fail with a status. */
  | { sleepMs: number; then: { kind: 'answer' } | { kind: 'keep-open' } | { kind: 'error'; code: number } }
  /** The header cannot be read: INVALID_ARGUMENT, saying which entry. */
  | { invalid: string };

const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : NaN);

/** What to do with a call carrying these `rpc-behavior` values, on server `hostname`, at attempt `attempt` (0: the first). */
export function planOf(values: string[], hostname: string, attempt: number): Plan {
  let sleepMs = 0;
  const entries = values
    .join(',')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const value of entries) {
    let entry = value;
    if (value.startsWith('hostname=')) {
      const [who, what] = value.split(/ (.*)/s);
      if (!what) return { invalid: `Invalid format for rpc-behavior header: ${value}` };
      if (who.slice('hostname='.length) !== hostname) continue;
      entry = what.trim();
    }
    if (entry.startsWith('sleep-')) {
      const s = number(entry.slice('sleep-'.length));
      if (Number.isNaN(s)) return { invalid: `Invalid format for rpc-behavior header: ${value}` };
      sleepMs += s * 1000;
    } else if (entry === 'keep-open') {
      return { sleepMs, then: { kind: 'keep-open' } };
    } else if (entry.startsWith('error-code-')) {
      const code = number(entry.slice('error-code-'.length));
      if (Number.isNaN(code) || code > 16) return { invalid: `Invalid format for rpc-behavior header: ${value}` };
      return { sleepMs, then: { kind: 'error', code } };
    } else if (entry.startsWith('succeed-on-retry-attempt-')) {
      const n = number(entry.slice('succeed-on-retry-attempt-'.length));
      if (Number.isNaN(n)) return { invalid: `Invalid format for rpc-behavior header: ${value}` };
      if (attempt === n) return { sleepMs, then: { kind: 'answer' } };
    }
    // Anything else is not for this server: grpc's test servers pass over it.
  }
  return { sleepMs, then: { kind: 'answer' } };
}
