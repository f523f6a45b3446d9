// set-weight: { echo-2: 5 } — the echo server registers again with the new weight (etcd's value,
// Consul's Meta.weight and Weights), which weighted balancers read through the resolver.
import { z } from 'zod';
import { checkBackend, defineAction, oneEchoEntry } from './action.js';

export default defineAction({
  kind: 'set-weight',
  summary: 'it registers again with the new weight (etcd value, Consul meta)',
  example: 'set-weight: { echo-3: 4 }',
  arg: oneEchoEntry(z.number().int().min(0).max(1000), '<weight 0..1000>'),
  resolve(arg, names) {
    const [target, weight] = Object.entries(arg)[0];
    return checkBackend(names, target, [target], true) ?? { target, weight };
  },
  describe: (a) => `${a.target} weight → ${a.weight}`,
  model: ({ target }, sandbox) => {
    const inst = sandbox.reachable(target, 'set its weight');
    return typeof inst === 'string' ? inst : undefined;
  },
  async run({ target, weight }, ctx) {
    const before = await ctx.control(target).getStats();
    await ctx.control(target).setWeight(weight);
    ctx.undo(`${target} weight → ${before.weight}`, async () => void (await ctx.control(target).setWeight(before.weight)));
  },
});
