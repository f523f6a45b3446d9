// drain: echo-2 — the echo server drains as a rolling update would: NOT_SERVING, deregisters from
// etcd and Consul, sends GOAWAY to every client, waits for calls in flight, exits. `start` brings it
// back (the scenario's undo does too). A server of yours drains the same way in two parts: its
// sidecar says NOT_SERVING, deregisters it and sends every host client's connection a GOAWAY; then
// the lab stops the server (SIGTERM, SIGKILL after the grace). Started again, it is registered again
// once it answers the sidecar's probe.
import { checkBackend, defineAction, instanceName } from './action.js';
import { serverStarted } from './container-actions.js';

/** How long a drain waits for calls in flight before the echo exits. */
const DRAIN_MS = 2000;

export default defineAction({
  kind: 'drain',
  summary: 'as in a rolling update: NOT_SERVING, deregister, GOAWAY, wait for calls in flight, exit',
  example: 'drain: echo-2',
  arg: instanceName,
  resolve: (target, names) => checkBackend(names, target) ?? { target, server: names.instances.get(target) === 'server' },
  describe: (a) => `drain ${a.target} (deregister, GOAWAY, exit)`,
  model({ target }, sandbox) {
    const inst = sandbox.reachable(target, 'drain it');
    if (typeof inst === 'string') return inst;
    // A server of yours already gone stays gone (its sidecar is what the lab reached): it answers nothing more.
    const answering = inst.process === 'running' || inst.process === 'unknown';
    // An echo exits within its grace; a server of yours may answer until its sidecar has deregistered it (a second at most) and the stop's grace has run out.
    const graceMs = inst.role === 'server' ? 1000 + DRAIN_MS : DRAIN_MS;
    sandbox.set(inst, { process: 'exited', ...(answering ? { upUntil: sandbox.atMs + graceMs } : {}), inConsul: false }, 'drained');
    return undefined;
  },
  async run({ target, server }, ctx) {
    await ctx.control(target).drain(DRAIN_MS);
    if (server) await ctx.rt.stopContainer((await ctx.container(target)).id, DRAIN_MS / 1000);
    ctx.undo(`start ${target}`, async () => {
      const c = await ctx.container(target);
      if (c.state !== 'running') await ctx.rt.startContainer(c.id);
      await serverStarted(ctx, target);
    });
  },
});
