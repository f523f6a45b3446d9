// weighted_random: a READY backend with probability weight / sum of weights (weights from the
// resolver: etcd's value, Consul's Meta.weight). All-zero weights fall back to uniform.
import { definePolicy, type EndpointState } from './endpoint-balancer.js';

export const weightedRandom = definePolicy(
  {
    name: 'weighted_random',
    description: "random in proportion to the resolver's weights (etcd's value, Consul's Meta.weight, xDS endpoint weights)",
    keys: [],
  },
  () => ({}),
  () => {
    let cumulative: number[] = [];
    return {
      rebuild(ready: EndpointState[]) {
        let sum = 0;
        cumulative = ready.map((e) => (sum += e.weight));
      },
      choose(ready) {
        const total = cumulative[cumulative.length - 1] ?? 0;
        if (total <= 0) return Math.floor(Math.random() * ready.length);
        const x = Math.random() * total;
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cumulative[mid] > x) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      },
    };
  },
);

export const setup = weightedRandom.setup;
