// partition: echo-2 (or etcd, consul, greeter-2) — cut it off the lab network (docker network
// disconnect): no Consul check reaches it, it cannot renew its etcd lease, and its published port
// leads nowhere. A server of yours is cut off with its sidecar, whose network namespace it shares
// (the sidecar's container is the one on the network). heal: it joins the network again under its names.
import { aliasesOf } from '../../sandbox/index.js';
import { seconds } from '../../util/time-text.js';
import { changeText } from '../timeline/sandbox-model.js';
import { defineAction, instanceName, targetOf, type ActionContext } from './action.js';

/** The instance whose container is on the lab network: a server of yours' sidecar, else the instance itself. */
function onNetwork(target: string, ctx: ActionContext): string {
  return ctx.topology.instances.find((i) => i.name === target)?.joins ?? target;
}

async function heal(target: string, ctx: ActionContext): Promise<void> {
  const name = onNetwork(target, ctx);
  const c = await ctx.container(name);
  // Under every name it had: an echo server's service name too, which HAProxy finds backends by.
  const inst = ctx.topology.instances.find((i) => i.name === name);
  const aliases = inst ? aliasesOf(inst) : [name];
  await ctx.rt.connectNetwork(c.id, ctx.topology.network, aliases).catch((err: { statusCode?: number; message: string }) => {
    // Already connected (403/409 from Docker): nothing to heal.
    if (err.statusCode !== 403 && err.statusCode !== 409) throw err;
  });
}

export default [
  defineAction({
    kind: 'partition',
    summary: '`docker network disconnect`: cut it off the lab network',
    example: 'partition: echo-2',
    arg: instanceName,
    resolve: targetOf(),
    describe: (a) => `cut ${a.target} off the lab network`,
    model({ target }, sandbox) {
      const inst = sandbox.present(target);
      if (typeof inst === 'string') return inst;
      if (inst.partitioned)
        return `${target} is already cut off the lab network at ${seconds(sandbox.atMs)}${inst.last ? `: it was ${changeText(inst.last)}` : ''}`;
      sandbox.set(inst, { partitioned: true }, 'cut off the network');
      return undefined;
    },
    async run({ target }, ctx) {
      const c = await ctx.container(onNetwork(target, ctx));
      await ctx.rt.disconnectNetwork(c.id, ctx.topology.network);
      ctx.undo(`reconnect ${target}`, () => heal(target, ctx));
    },
  }),
  defineAction({
    kind: 'heal',
    summary: '`docker network connect`: it joins the lab network again under its name',
    example: 'heal: echo-2',
    arg: instanceName,
    resolve: targetOf(),
    describe: (a) => `reconnect ${a.target} to the lab network`,
    model({ target }, sandbox) {
      const inst = sandbox.present(target);
      if (typeof inst === 'string') return inst;
      if (!inst.partitioned)
        return `${target} is on the lab network at ${seconds(sandbox.atMs)}, so there is nothing to heal (a partition step cuts it off first)`;
      sandbox.set(inst, { partitioned: false }, 'reconnected');
      return undefined;
    },
    run: ({ target }, ctx) => heal(target, ctx),
  }),
];
