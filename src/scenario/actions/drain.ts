// drain: echo-2 — the echo server drains as a rolling update would: NOT_SERVING, deregisters from
// etcd and Consul, sends GOAWAY to every client, waits for calls in flight, exits. `start` brings it
// back (the scenario's undo does too).
import { call } from '../../grpc/protos.js';
import { instanceArg, isEcho, registerAction } from './action.js';

registerAction<{ target: string }>({
  kind: 'drain',
  parse: (raw, { instances }) => instanceArg(raw, instances, isEcho, 'an echo server'),
  describe: (a) => `drain ${a.target} (deregister, GOAWAY, exit)`,
  async run({ target }, ctx) {
    await call(ctx.control(target), 'Drain', { graceMs: 2000 });
    ctx.undo(`start ${target}`, async () => {
      const c = await ctx.container(target);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
    });
  },
});
