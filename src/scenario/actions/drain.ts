// drain: echo-2 — the echo server drains as a rolling update would: NOT_SERVING, deregisters from
// etcd and Consul, sends GOAWAY to every client, waits for calls in flight, exits. `start` brings it
// back (the scenario's undo does too).
import { defineAction, instanceName, targetOf } from './action.js';

/** How long a drain waits for calls in flight before the echo exits. */
const DRAIN_MS = 2000;

export default defineAction({
  kind: 'drain',
  summary: 'as in a rolling update: NOT_SERVING, deregister, GOAWAY, wait for calls in flight, exit',
  example: 'drain: echo-2',
  arg: instanceName,
  resolve: targetOf('echo'),
  describe: (a) => `drain ${a.target} (deregister, GOAWAY, exit)`,
  model({ target }, sandbox) {
    const inst = sandbox.reachable(target, 'drain it');
    if (typeof inst === 'string') return inst;
    sandbox.set(inst, { process: 'exited', upUntil: sandbox.atMs + DRAIN_MS, inConsul: false }, 'drained');
    return undefined;
  },
  async run({ target }, ctx) {
    await ctx.control(target).drain(DRAIN_MS);
    ctx.undo(`start ${target}`, async () => {
      const c = await ctx.container(target);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
    });
  },
});
