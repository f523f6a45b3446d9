// scale: { echo: N } — as `lab up --echo N`: new echo servers start and register; extras stop
// gracefully (SIGTERM: they deregister first).
import { registerAction } from './action.js';

registerAction<{ echo: number }>({
  kind: 'scale',
  parse(raw) {
    const n = (raw as { echo?: unknown } | null)?.echo;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 250) return `expected { echo: N } with N from 1 to 250, found ${JSON.stringify(raw)}`;
    return { echo: n };
  },
  describe: (a) => `scale echo to ${a.echo}`,
  async run({ echo }, ctx) {
    const before = ctx.topology.instances.filter((i) => i.role === 'echo').length;
    await ctx.scaleTo(echo);
    ctx.undo(`scale echo back to ${before}`, () => ctx.scaleTo(before));
  },
});
