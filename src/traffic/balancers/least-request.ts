// least_request: power of N choices (Envoy's default choice_count 2): sample choiceCount distinct
// READY backends and take the one with the fewest calls in flight.
import { definePolicy, numberOption } from './endpoint-balancer.js';

export const leastRequest = definePolicy(
  { name: 'least_request', description: 'power of `choiceCount` (2) choices on calls in flight (Envoy)', keys: ['choiceCount'] },
  (json) => ({ choiceCount: numberOption(json, 'choiceCount', 2, 2, 100, 'least_request') }),
  ({ choiceCount }) => ({
    tracksCalls: true,
    choose(ready) {
      const n = ready.length;
      if (n === 1) return 0;
      let best = Math.floor(Math.random() * n);
      const k = Math.min(choiceCount, n);
      // Sample k distinct indexes: a random start and distinct offsets.
      const seen = new Set([best]);
      while (seen.size < k) {
        const j = Math.floor(Math.random() * n);
        if (seen.has(j)) continue;
        seen.add(j);
        if (ready[j].inFlight < ready[best].inFlight) best = j;
      }
      return best;
    },
  }),
);

export const setup = leastRequest.setup;
