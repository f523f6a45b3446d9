// The lab's balancers, each in its own file exporting setup(); adding one is adding a line here.
import { setup as healthChecked } from './health-checked.js';
import { setup as leastRequest } from './least-request.js';
import { setup as observe } from './observe.js';
import { setup as p2cEwma } from './p2c-ewma.js';
import { setup as random } from './random.js';
import { setup as ringHash } from './ring-hash.js';
import { setup as weightedRandom } from './weighted-random.js';
import { setup as wrrLvs } from './wrr-lvs.js';
import { setup as wrrSmooth } from './wrr-smooth.js';

/** The names users can choose, with what each is. */
export const LAB_BALANCERS: Record<string, string> = {
  random: 'uniformly random among READY backends',
  weighted_random: 'random in proportion to the resolver\'s weights',
  wrr_smooth: 'nginx smooth weighted round robin; failures lower a weight that recovers per pick',
  wrr_lvs: 'LVS weighted round robin (gcd / max-weight stepping)',
  least_request: 'power of two choices on calls in flight (choiceCount)',
  p2c_ewma: 'go-zero: two choices on sqrt(lag+1)·(inflight+1), EWMA latency',
  ring_hash: 'consistent hashing on a metadata key (hashKey) or the client (hashOn: source)',
  health_checked: 'skips backends whose grpc.health.v1 is not SERVING (wraps childPolicy)',
};

let done = false;

export function registerBalancers(): void {
  if (done) return;
  done = true;
  for (const setup of [observe, random, weightedRandom, wrrSmooth, wrrLvs, leastRequest, p2cEwma, ringHash, healthChecked]) setup();
}
