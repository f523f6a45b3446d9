// signal: { target: echo-2, signal: SIGHUP } — send a process signal to a service's container, as
// `docker kill --signal` does: what does the service do with a signal it may not handle? (Node.js
// exits on SIGHUP; the echo drains on SIGTERM.) If the container exits, the undo starts it again.
import { z } from 'zod';
import { ArgProblem, checkTarget, defineAction, instanceName } from './action.js';

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

export default defineAction({
  kind: 'signal',
  summary: 'send a signal to its process (`docker kill --signal`); the container is started again at the end if it exited',
  example: 'signal: { target: echo-2, signal: SIGHUP }',
  arg: z.strictObject({ target: instanceName, signal: z.enum(SIGNALS) }),
  resolve: (a, names) => checkTarget(names, a.target, undefined, ['target']) ?? a,
  describe: (a) => `${a.signal} to ${a.target}`,
  model({ target, signal }, sandbox) {
    const inst = sandbox.need(target, ['running', 'paused'], `send ${signal} to`);
    if (typeof inst === 'string') return new ArgProblem(inst, ['target']);
    // Only SIGKILL is sure to end it; what a process does with another signal is what the step shows.
    sandbox.set(inst, { process: signal === 'SIGKILL' ? 'exited' : 'unknown' }, `sent ${signal}`);
    return undefined;
  },
  async run({ target, signal }, ctx) {
    await ctx.rt.killContainer((await ctx.container(target)).id, signal);
    ctx.undo(`start ${target} if it exited`, async () => {
      const c = await ctx.container(target);
      if (c.state === 'exited' || c.state === 'created') await ctx.rt.startContainer(c.id);
    });
  },
});
