// health: { echo-2: NOT_SERVING } — the echo's grpc.health.v1 answer (Consul's gRPC check follows);
// for a server of yours, its sidecar's answer, which Consul's check asks.
import { z } from 'zod';
import { checkBackend, defineAction, oneEchoEntry } from './action.js';

export default defineAction({
  kind: 'health',
  summary: "its grpc.health.v1 answer (a server of yours: its sidecar's); Consul's gRPC check follows",
  example: 'health: { echo-2: NOT_SERVING }',
  arg: oneEchoEntry(z.enum(['SERVING', 'NOT_SERVING']), 'SERVING | NOT_SERVING'),
  resolve(arg, names) {
    const [target, status] = Object.entries(arg)[0];
    return checkBackend(names, target, [target], true) ?? { target, serving: status === 'SERVING' };
  },
  describe: (a) => `${a.target} health → ${a.serving ? 'SERVING' : 'NOT_SERVING'}`,
  model: ({ target }, sandbox) => {
    const inst = sandbox.reachable(target, 'set its health');
    return typeof inst === 'string' ? inst : undefined;
  },
  async run({ target, serving }, ctx) {
    await ctx.control(target).setHealth(serving);
    if (!serving) ctx.undo(`${target} health → SERVING`, async () => void (await ctx.control(target).setHealth(true)));
  },
});
