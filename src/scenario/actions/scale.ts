// scale: { echo: N } — as `lab up --echo N`: new echo servers start and register; extras stop
// gracefully (SIGTERM: they deregister first).
import { z } from 'zod';
import { seconds } from '../../util/time-text.js';
import { defineAction } from './action.js';

export default defineAction({
  kind: 'scale',
  summary: 'as `lab up --echo N`: new echo servers start and register; scale-down is graceful',
  example: 'scale: { echo: 5 }',
  arg: z.strictObject({ echo: z.number().int().min(1).max(250) }),
  describe: (a) => `scale echo to ${a.echo}`,
  model({ echo }, sandbox) {
    if (sandbox.echoCount() === echo) return `the sandbox has ${echo} echo servers at ${seconds(sandbox.atMs)} already: nothing to scale`;
    sandbox.scaleTo(echo);
    return undefined;
  },
  async run({ echo }, ctx) {
    const before = ctx.topology.instances.filter((i) => i.role === 'echo').length;
    await ctx.scaleTo(echo);
    ctx.undo(`scale echo back to ${before}`, () => ctx.scaleTo(before));
  },
});
