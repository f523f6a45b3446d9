// p2c_ewma: go-zero's peak-EWMA power of two choices. Each backend's load is
// sqrt(lag + 1) × (inflight + 1), lag being an exponentially weighted moving average of its latency
// (decay time 10 s); of two random READY backends the lighter wins, unless the other has not been
// picked for over a second (forced pick, so a recovered backend is noticed).
import { definePolicy, numberOption, type EndpointState } from './endpoint-balancer.js';

const load = (e: EndpointState) => Math.sqrt((e.policy.lag ?? 0) + 1) * (e.inFlight + 1);

export const p2cEwma = definePolicy(
  {
    name: 'p2c_ewma',
    description: 'go-zero: two random choices on sqrt(lag+1)·(inflight+1), EWMA latency (10 s decay), forced pick after 1 s',
    keys: ['decayMs', 'forcePickMs'],
  },
  (json) => ({
    decayMs: numberOption(json, 'decayMs', 10_000, 1, 600_000, 'p2c_ewma'),
    forcePickMs: numberOption(json, 'forcePickMs', 1000, 1, 600_000, 'p2c_ewma'),
  }),
  ({ decayMs, forcePickMs }) => ({
    tracksCalls: true,
    choose(ready) {
      const n = ready.length;
      const now = performance.now();
      let pick = 0;
      if (n > 1) {
        const a = Math.floor(Math.random() * n);
        let b = Math.floor(Math.random() * (n - 1));
        if (b >= a) b++;
        const [light, heavy] = load(ready[a]) <= load(ready[b]) ? [a, b] : [b, a];
        // A forced pick: the heavier one has waited too long to be tried again.
        pick = now - (ready[heavy].policy.lastPick ?? 0) > forcePickMs ? heavy : light;
      }
      ready[pick].policy.lastPick = now;
      return pick;
    },
    onCallEnded(e, { latencyMs }) {
      const now = performance.now();
      const last = e.policy.lastEnd ?? now;
      e.policy.lastEnd = now;
      // go-zero: w = exp(-Δt / decay); lag = lag·w + rtt·(1 − w).
      const w = Math.exp(-(now - last) / decayMs);
      e.policy.lag = (e.policy.lag ?? 0) * w + latencyMs * (1 - w);
    },
  }),
);

export const setup = p2cEwma.setup;
