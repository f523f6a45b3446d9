// expire-lease: revoke an echo server's etcd lease (its key goes at once, as when the TTL runs out
// on a frozen process). The echo server notices and registers again (seed 001), as real ones do; a
// server of yours' sidecar does too, while its server answers.
import { Etcd3 } from 'etcd3';
import { etcdKeyOf } from '../../sandbox/index.js';
import { backendTarget, defineAction, instanceName } from './action.js';

export default defineAction({
  kind: 'expire-lease',
  summary: 'revoke its etcd lease: the key goes at once (the echo registers again)',
  example: 'expire-lease: echo-2',
  arg: instanceName,
  resolve: backendTarget,
  describe: (a) => `revoke the etcd lease of ${a.target}`,
  model({ target }, sandbox) {
    const inst = sandbox.need(target, ['running', 'paused'], 'revoke (a stopped echo server keeps no lease)');
    if (typeof inst === 'string') return inst;
    const { running, members } = sandbox.etcdQuorum();
    if (running <= members / 2) return `etcd has no leader then (${Math.max(0, running)} of ${members} member(s) running): no lease can be revoked`;
    return undefined;
  },
  async run({ target }, ctx) {
    const inst = ctx.topology.instances.find((i) => i.name === target);
    const key = inst ? etcdKeyOf(ctx.topology, inst) : `${ctx.topology.registration.etcdPrefix}/echo/${target}`;
    const etcd = new Etcd3({
      hosts: ctx
        .reach(ctx.topology.etcd.hostAddress)
        .split(',')
        .map((h) => `http://${h}`),
      dialTimeout: 2000,
    });
    try {
      const res = await etcd.get(key).exec();
      const lease = res.kvs[0]?.lease;
      if (!lease || lease === '0') throw new Error(`${target} has no lease on ${key} right now`);
      await etcd.leaseClient.leaseRevoke({ ID: lease });
    } finally {
      etcd.close();
    }
  },
});
