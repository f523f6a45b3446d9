// xds-nack: cluster | listener — the control plane pushes a resource no client accepts (a Cluster
// whose outlier detection ejects 250% of the hosts; a Listener whose API listener is not an
// HttpConnectionManager). Each xDS client NACKs the new version and keeps its last good one, so
// traffic goes on unchanged. The step waits (5 s at most) until every connected client has NACKed
// it, says who did and why, and fails when one did not. Undone: a good push follows.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isXdsTarget } from '../../traffic/index.js';
import { defineAction } from './action.js';

const TYPE = { cluster: 'CDS', listener: 'LDS' } as const;

export default defineAction({
  kind: 'xds-nack',
  summary: 'push a resource no xDS client accepts (cluster or listener): clients NACK it and keep their last good one; the step says who NACKed',
  example: 'xds-nack: cluster',
  arg: z.enum(['cluster', 'listener']),
  resolve: (a, names) =>
    [...names.instances.values()].includes('xds') ? { broken: a } : 'the sandbox runs no xDS control plane: add `sandbox: { xds: true }` to the scenario',
  describe: (a) => `xDS push of a broken ${a.broken} (clients NACK it)`,
  model(_arg, sandbox) {
    const xds = [...sandbox.model.instances.values()].find((i) => i.role === 'xds');
    if (xds) {
      const up = sandbox.reachable(xds.name, 'push to');
      if (typeof up === 'string') return up;
    }
    if (![...sandbox.model.clients.values()].some((c) => c.target && isXdsTarget(c.target)))
      return 'no client of this scenario dials an xds: target, so no client would NACK the push (the step waits for their NACKs)';
    return undefined;
  },
  async run({ broken }, ctx) {
    const xds = ctx.xds();
    const before = await xds.policy();
    const pushed = await xds.setPolicy({ ...before, broken });
    ctx.undo(`push a good ${broken} again`, async () => void (await xds.setPolicy({ ...before, broken: undefined })));
    const type = TYPE[broken];
    const version = pushed.versions[type];
    for (let waited = 0; ; waited += 100) {
      const clients = (await xds.status()).clients.filter((c) => c.connected && c.types.some((t) => t.type === type));
      const states = clients.map((c) => ({ c, t: c.types.find((t) => t.type === type)! }));
      const pending = states.filter(({ t }) => t.nackedVersion !== version);
      if (clients.length && !pending.length)
        return `${type} v${version} NACKed by ${states.map(({ c }) => c.nodeId).join(', ')}, who kept v${states[0].t.ackedVersion}: ${states[0].t.nackError}`;
      if (waited >= 5000) {
        if (!clients.length) throw new Error('no xDS client is connected to NACK it');
        throw new Error(`${pending.map(({ c, t }) => `${c.nodeId} ${t.ackedVersion === version ? 'ACKed' : 'did not answer'}`).join(', ')} v${version}`);
      }
      await sleep(100);
    }
  },
});
