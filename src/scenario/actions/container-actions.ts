// kill (SIGKILL), stop (SIGTERM, graceful: the echo deregisters), start, restart, pause and unpause
// (docker pause: the process freezes, its lease is no longer kept alive). Any service may be named.
import { defineAction, instanceName, targetOf, type ActionContext } from './action.js';

type Arg = { target: string };

function containerAction(kind: string, verb: string, summary: string, run: (arg: Arg, ctx: ActionContext) => Promise<void>) {
  return defineAction({ kind, summary, example: `${kind}: echo-2`, arg: instanceName, resolve: targetOf(), describe: (a: Arg) => `${verb} ${a.target}`, run });
}

const startAgain = (ctx: ActionContext, target: string) => async () => {
  const c = await ctx.container(target);
  if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
  else if (c.state !== 'running') await ctx.rt.startContainer(c.id);
};

export default [
  containerAction('kill', 'SIGKILL', 'SIGKILL the container: the process dies at once, its connections are refused', async ({ target }, ctx) => {
    await ctx.rt.killContainer((await ctx.container(target)).id, 'SIGKILL');
    ctx.undo(`start ${target}`, startAgain(ctx, target));
  }),
  containerAction('stop', 'SIGTERM', 'SIGTERM: a graceful stop (an echo server deregisters first)', async ({ target }, ctx) => {
    await ctx.rt.stopContainer((await ctx.container(target)).id, 5);
    ctx.undo(`start ${target}`, startAgain(ctx, target));
  }),
  containerAction('start', 'start', 'start the container again (or unpause it)', async ({ target }, ctx) => {
    await startAgain(ctx, target)();
  }),
  containerAction('restart', 'restart', 'stop the container and start it again', async ({ target }, ctx) => {
    const { id } = await ctx.container(target);
    await ctx.rt.stopContainer(id, 5);
    await ctx.rt.startContainer(id);
  }),
  containerAction('pause', 'freeze (docker pause)', '`docker pause`: the process freezes, TCP connections stay open', async ({ target }, ctx) => {
    await ctx.rt.pauseContainer((await ctx.container(target)).id);
    ctx.undo(`unpause ${target}`, startAgain(ctx, target));
  }),
  containerAction('unpause', 'unpause', '`docker unpause`: the frozen process goes on', async ({ target }, ctx) => {
    const c = await ctx.container(target);
    if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
  }),
];
