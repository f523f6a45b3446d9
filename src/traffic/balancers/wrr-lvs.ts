// wrr_lvs: LVS's weighted round robin (seed 004): step through the backends, lowering a current
// weight by the gcd of the weights each full turn (back to the max weight when it reaches 0),
// and pick a backend whose weight is at least the current weight.
import { definePolicy } from './endpoint-balancer.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export const wrrLvs = definePolicy(
  { name: 'wrr_lvs', description: "LVS's weighted round robin: gcd / max-weight stepping", keys: [] },
  () => ({}),
  () => {
    let i = -1;
    let cw = 0;
    let step = 1;
    let max = 0;
    return {
      rebuild(ready) {
        const weights = ready.map((e) => Math.max(0, Math.round(e.weight)));
        max = Math.max(0, ...weights);
        step = weights.filter((w) => w > 0).reduce((a, b) => gcd(a, b), 0) || 1;
        i = -1;
        cw = 0;
      },
      choose(ready) {
        if (max === 0) return Math.floor(Math.random() * ready.length);
        for (;;) {
          i = (i + 1) % ready.length;
          if (i === 0) {
            cw -= step;
            if (cw <= 0) cw = max;
          }
          if (Math.round(ready[i].weight) >= cw) return i;
        }
      },
    };
  },
);

export const setup = wrrLvs.setup;
