// partition: echo-2 (or etcd, consul) — cut it off the lab network (docker network disconnect): no
// Consul check reaches it, it cannot renew its etcd lease, and its published port leads nowhere.
// heal: echo-2 joins the network again under its names.
import { aliasesOf } from '../../sandbox/index.js';
import { seconds } from '../../util/time-text.js';
import { changeText } from '../timeline/sandbox-model.js';
import { ArgProblem, defineAction, instanceName, targetOf, type ActionContext, type Names } from './action.js';

async function heal(target: string, ctx: ActionContext): Promise<void> {
  const c = await ctx.container(target);
  // Under every name it had: an echo server's service name too, which HAProxy finds backends by.
  const inst = ctx.topology.instances.find((i) => i.name === target);
  const aliases = inst ? aliasesOf(inst) : [target];
  await ctx.rt.connectNetwork(c.id, ctx.topology.network, aliases).catch((err: { statusCode?: number; message: string }) => {
    // Already connected (403/409 from Docker): nothing to heal.
    if (err.statusCode !== 403 && err.statusCode !== 409) throw err;
  });
}

/** Any service but a server of yours: its network is its sidecar's, which this does not cut (not yet). */
const notAServer = (name: string, names: Names) =>
  names.instances.get(name) === 'server'
    ? new ArgProblem(`"${name}" is a server of yours, whose network is its sidecar's: cutting it off is not done yet (kill or pause it instead)`)
    : targetOf()(name, names);

export default [
  defineAction({
    kind: 'partition',
    summary: '`docker network disconnect`: cut it off the lab network',
    example: 'partition: echo-2',
    arg: instanceName,
    resolve: notAServer,
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
      const c = await ctx.container(target);
      await ctx.rt.disconnectNetwork(c.id, ctx.topology.network);
      ctx.undo(`reconnect ${target}`, () => heal(target, ctx));
    },
  }),
  defineAction({
    kind: 'heal',
    summary: '`docker network connect`: it joins the lab network again under its name',
    example: 'heal: echo-2',
    arg: instanceName,
    resolve: notAServer,
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
