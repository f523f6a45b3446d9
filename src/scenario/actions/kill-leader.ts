// kill-leader: etcd — in a cluster of 3 or 5 members (`sandbox: { etcd: 3 }`), SIGKILL the member
// that leads right now (asked of the members themselves, through etcd's maintenance status).
// The others elect a new leader; registrations and resolvers carry on through the remaining members.
import { z } from 'zod';
import { findEtcdLeader } from '../../sandbox/index.js';
import { defineAction, namesOfRole } from './action.js';

export default defineAction({
  kind: 'kill-leader',
  summary: 'with `sandbox: { etcd: 3 }`: SIGKILL the member that leads now (asked of the members); the report names it',
  example: 'kill-leader: etcd',
  arg: z.literal('etcd', { error: (iss) => `kill-leader names the cluster whose leader to kill: "etcd", found ${JSON.stringify(iss.input)}` }),
  resolve(arg, names) {
    if (namesOfRole(names, 'etcd').length < 3)
      return 'kill-leader needs an etcd cluster: add `sandbox: { etcd: 3 }` to the scenario (or x-lab.members: 3 on etcd in compose/lab.yaml)';
    return { cluster: arg };
  },
  describe: () => 'SIGKILL the etcd leader',
  model(_arg, sandbox) {
    const { running, members } = sandbox.etcdQuorum();
    if (running <= members / 2) return `etcd has no leader then (${Math.max(0, running)} of ${members} members running): there is no leader to kill`;
    sandbox.model.leaderKills++;
    return undefined;
  },
  async run(_arg, ctx) {
    const leader = await findEtcdLeader(
      ctx.topology.instances.filter((i) => i.role === 'etcd'),
      ctx.reach,
    );
    await ctx.rt.killContainer((await ctx.container(leader.name)).id, 'SIGKILL');
    ctx.undo(`start ${leader.name}`, async () => {
      const c = await ctx.container(leader.name);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
    });
    return `${leader.name} led`;
  },
});
