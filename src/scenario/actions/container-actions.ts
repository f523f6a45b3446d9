// kill (SIGKILL), stop (SIGTERM, graceful: the echo deregisters), start, restart, pause and unpause
// (docker pause: the process freezes, its lease is no longer kept alive). Any service may be named.
// Each is checked against the container's state at its time, as Docker would: nothing to kill once
// it exited, nothing to freeze unless it runs, nothing to start while it runs.
import type { ProcessState, SandboxDraft } from '../timeline/sandbox-model.js';
import { defineAction, instanceName, targetOf, type ActionContext } from './action.js';

type Arg = { target: string };

/** How long a graceful stop waits before Docker kills (an echo server drains in it). */
const STOP_TIMEOUT_S = 5;

/** The model of a container verb: the states it applies to, and the state it leaves. */
export interface Rule {
  from: ProcessState[];
  to: ProcessState;
  /** A graceful stop: how long the process may still answer (its stop timeout). */
  graceMs?: number;
  /** What it does to an echo server's Consul registration (a graceful stop deregisters; a start registers). */
  inConsul?: boolean;
  /** "kill": what the problem says there is nothing to do. */
  doing: string;
  /** "killed": what later steps say happened. */
  done: string;
}

function modelOf(rule: Rule) {
  return ({ target }: Arg, sandbox: SandboxDraft) => {
    const inst = sandbox.need(target, rule.from, rule.doing);
    if (typeof inst === 'string') return inst;
    sandbox.set(
      inst,
      {
        process: rule.to,
        ...(rule.graceMs ? { upUntil: sandbox.atMs + rule.graceMs } : {}),
        // An echo server deregisters on a graceful stop and registers on a start; a server of yours'
        // sidecar keeps it listed through a stop (its check goes critical) and lists it again on a start.
        ...(rule.inConsul !== undefined && (inst.role === 'echo' || (inst.role === 'server' && rule.inConsul)) ? { inConsul: rule.inConsul } : {}),
      },
      rule.done,
    );
    return undefined;
  };
}

/** Each verb's rule, by kind: what test/integration/container-verbs.test.ts checks against a real engine. */
export const CONTAINER_RULES = new Map<string, Rule>();

function containerAction(kind: string, verb: string, summary: string, rule: Rule, run: (arg: Arg, ctx: ActionContext) => Promise<void>) {
  CONTAINER_RULES.set(kind, rule);
  return defineAction({
    kind,
    summary,
    example: `${kind}: echo-2`,
    arg: instanceName,
    resolve: targetOf(),
    describe: (a: Arg) => `${verb} ${a.target}`,
    model: modelOf(rule),
    run,
  });
}

/**
 * A server of yours started again (a new process): its sidecar lets it back in (a drain's hold
 * released, health as its probe finds it), as a restarted echo server starts afresh. Registered
 * once it answers the sidecar's probe.
 */
export async function serverStarted(ctx: ActionContext, target: string): Promise<void> {
  if (ctx.topology.instances.find((i) => i.name === target)?.role !== 'server') return;
  await ctx.control(target).setHealth(true);
}

const startAgain = (ctx: ActionContext, target: string) => async () => {
  const c = await ctx.container(target);
  if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
  else if (c.state !== 'running') {
    await ctx.rt.startContainer(c.id);
    await serverStarted(ctx, target);
  }
};

export default [
  containerAction(
    'kill',
    'SIGKILL',
    'SIGKILL the container: the process dies at once, its connections are refused',
    { from: ['running', 'paused'], to: 'exited', doing: 'kill', done: 'killed' },
    async ({ target }, ctx) => {
      await ctx.rt.killContainer((await ctx.container(target)).id, 'SIGKILL');
      ctx.undo(`start ${target}`, startAgain(ctx, target));
    },
  ),
  containerAction(
    'stop',
    'SIGTERM',
    'SIGTERM: a graceful stop (an echo server deregisters first)',
    { from: ['running', 'paused'], to: 'exited', graceMs: STOP_TIMEOUT_S * 1000, inConsul: false, doing: 'stop', done: 'stopped' },
    async ({ target }, ctx) => {
      await ctx.rt.stopContainer((await ctx.container(target)).id, STOP_TIMEOUT_S);
      ctx.undo(`start ${target}`, startAgain(ctx, target));
    },
  ),
  containerAction(
    'start',
    'start',
    'start the container again (or unpause it)',
    { from: ['exited', 'paused'], to: 'running', inConsul: true, doing: 'start', done: 'started' },
    async ({ target }, ctx) => {
      await startAgain(ctx, target)();
    },
  ),
  containerAction(
    'restart',
    'restart',
    'stop the container and start it again',
    { from: ['running', 'paused', 'exited'], to: 'running', inConsul: true, doing: 'restart', done: 'restarted' },
    async ({ target }, ctx) => {
      const { id } = await ctx.container(target);
      await ctx.rt.stopContainer(id, STOP_TIMEOUT_S);
      await ctx.rt.startContainer(id);
      await serverStarted(ctx, target);
    },
  ),
  containerAction(
    'pause',
    'freeze (docker pause)',
    '`docker pause`: the process freezes, TCP connections stay open',
    { from: ['running'], to: 'paused', doing: 'freeze', done: 'frozen' },
    async ({ target }, ctx) => {
      await ctx.rt.pauseContainer((await ctx.container(target)).id);
      ctx.undo(`unpause ${target}`, startAgain(ctx, target));
    },
  ),
  containerAction(
    'unpause',
    'unpause',
    '`docker unpause`: the frozen process goes on',
    { from: ['paused'], to: 'running', doing: 'unpause', done: 'unpaused' },
    async ({ target }, ctx) => {
      const c = await ctx.container(target);
      if (c.state === 'paused') await ctx.rt.unpauseContainer(c.id);
    },
  ),
];
