// kill (SIGKILL), stop (SIGTERM, graceful: the echo deregisters), start, restart, pause and unpause
// (docker pause: the process freezes, its lease is no longer kept alive).
import { instanceArg, registerAction, type ActionContext } from './action.js';
import type { ActionKind } from './kinds.js';

type Arg = { target: string };

function containerAction(kind: ActionKind, verb: string, run: (arg: Arg, ctx: ActionContext) => Promise<void>): void {
  registerAction<Arg>({
    kind,
    parse: (raw, { instances }) => instanceArg(raw, instances),
    describe: (a) => `${verb} ${a.target}`,
    run,
  });
}

const startAgain = (ctx: ActionContext, target: string) => async () => {
  const c = await ctx.container(target);
  if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
  else if (c.state !== 'running') await ctx.rt.startContainer(c.id);
};

containerAction('kill', 'SIGKILL', async ({ target }, ctx) => {
  await ctx.rt.killContainer((await ctx.container(target)).id, 'SIGKILL');
  ctx.undo(`start ${target}`, startAgain(ctx, target));
});

containerAction('stop', 'SIGTERM', async ({ target }, ctx) => {
  await ctx.rt.stopContainer((await ctx.container(target)).id, 5);
  ctx.undo(`start ${target}`, startAgain(ctx, target));
});

containerAction('start', 'start', async ({ target }, ctx) => {
  await startAgain(ctx, target)();
});

containerAction('restart', 'restart', async ({ target }, ctx) => {
  const { id } = await ctx.container(target);
  await ctx.rt.stopContainer(id, 5);
  await ctx.rt.startContainer(id);
});

containerAction('pause', 'freeze (docker pause)', async ({ target }, ctx) => {
  await ctx.rt.pauseContainer((await ctx.container(target)).id);
  ctx.undo(`unpause ${target}`, startAgain(ctx, target));
});

containerAction('unpause', 'unpause', async ({ target }, ctx) => {
  const c = await ctx.container(target);
  if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
});
