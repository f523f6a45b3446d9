// kill-leader: etcd — in a cluster of 3 or 5 members (`sandbox: { etcd: 3 }`), SIGKILL the member
// that leads right now (asked of the members themselves, through etcd's maintenance status).
// The others elect a new leader; registrations and resolvers carry on through the remaining members.
import { etcdPost } from '../../sandbox/registry-probe.js';
import type { InstanceSpec } from '../../topology/types.js';
import { registerAction, type ActionContext } from './action.js';

interface MemberStatus {
  header?: { member_id?: string };
  leader?: string;
}

/** The member that leads, by asking each one which member it is and whom it follows. */
export async function findLeader(members: InstanceSpec[]): Promise<InstanceSpec> {
  const seen = await Promise.all(
    members.map(async (m) => {
      const st = await etcdPost<MemberStatus>(m.hostAddress, '/v3/maintenance/status', {}, 1500).catch(() => undefined);
      return { m, id: st?.header?.member_id, leader: st?.leader };
    }),
  );
  const leaderId = seen.find((s) => s.leader && s.leader !== '0')?.leader;
  const leader = seen.find((s) => s.id && s.id === leaderId);
  if (!leader) throw new Error(`no etcd member reports a leader (${seen.map((s) => `${s.m.name}: ${s.id ? `follows ${s.leader}` : 'unreachable'}`).join(', ')})`);
  return leader.m;
}

registerAction<{ service: string }>({
  kind: 'kill-leader',
  parse(raw, { instances }) {
    if (raw !== 'etcd') return `kill-leader names the cluster whose leader to kill: "etcd", found ${JSON.stringify(raw)}`;
    const members = [...instances].filter((n) => /^etcd-\d+$/.test(n));
    if (members.length < 3) return 'kill-leader needs an etcd cluster: add `sandbox: { etcd: 3 }` to the scenario (or x-lab.members: 3 on etcd in compose/lab.yaml)';
    return { service: raw };
  },
  describe: () => 'SIGKILL the etcd leader',
  async run(_arg, ctx: ActionContext) {
    const members = ctx.topology.instances.filter((i) => i.role === 'etcd');
    const leader = await findLeader(members);
    await ctx.rt.killContainer((await ctx.container(leader.name)).id, 'SIGKILL');
    ctx.undo(`start ${leader.name}`, async () => {
      const c = await ctx.container(leader.name);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
    });
    return `${leader.name} led`;
  },
});
