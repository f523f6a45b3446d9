// wrr_smooth: nginx's smooth weighted round robin (seed 004). Each pick adds every backend's
// effective weight to its current weight, takes the largest, and subtracts the total from it:
// weights 5,1,1 give a a b a c a a. A failed call lowers the backend's effective weight by
// weight / maxFails; it recovers by one on every pick, as nginx does.
import { status } from '@grpc/grpc-js';
import { definePolicy, numberOption } from './endpoint-balancer.js';

export const wrrSmooth = definePolicy(
  {
    name: 'wrr_smooth',
    description:
      "nginx's smooth weighted round robin (weights 5,1,1 → a a b a c a a); a failure lowers a backend's effective weight, which recovers by one per pick (`maxFails`)",
    keys: ['maxFails'],
  },
  (json) => ({ maxFails: numberOption(json, 'maxFails', 1, 1, 1000, 'wrr_smooth') }),
  ({ maxFails }) => ({
    tracksCalls: true,
    rebuild(ready) {
      for (const e of ready) {
        e.policy.current ??= 0;
        if (e.policy.weight !== e.weight) {
          e.policy.weight = e.weight;
          e.policy.effective = e.weight;
        }
      }
    },
    choose(ready) {
      let total = 0;
      let best = 0;
      for (let i = 0; i < ready.length; i++) {
        const p = ready[i].policy;
        p.current += p.effective;
        total += p.effective;
        if (p.effective < ready[i].weight) p.effective++;
        if (p.current > ready[best].policy.current) best = i;
      }
      ready[best].policy.current -= total;
      return best;
    },
    onCallEnded(e, { code }) {
      if (code === status.OK || code === status.CANCELLED) return;
      e.policy.effective = Math.max(0, e.policy.effective - e.weight / maxFails);
    },
  }),
);

export const setup = wrrSmooth.setup;
