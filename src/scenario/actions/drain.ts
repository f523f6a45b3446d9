// drain: echo-2 — the echo server drains as a rolling update would: NOT_SERVING, deregisters from
// etcd and Consul, sends GOAWAY to every client, waits for calls in flight, exits. `start` brings it
// back (the scenario's undo does too).
import { defineAction, instanceName, targetOf } from './action.js';

export default defineAction({
  kind: 'drain',
  summary: 'as in a rolling update: NOT_SERVING, deregister, GOAWAY, wait for calls in flight, exit',
  example: 'drain: echo-2',
  arg: instanceName,
  resolve: targetOf('echo'),
  describe: (a) => `drain ${a.target} (deregister, GOAWAY, exit)`,
  async run({ target }, ctx) {
    await ctx.control(target).drain(2000);
    ctx.undo(`start ${target}`, async () => {
      const c = await ctx.container(target);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
    });
  },
});
