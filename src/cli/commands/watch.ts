// lab watch: the rebalance view on the running sandbox, with clients side by side (pick_first beside
// round_robin by default) and failures on keys. `lab` alone does the same and brings the sandbox up
// first when it is down. Both need a terminal; q leaves the sandbox running.
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { isXdsTarget, serviceConfigFrom, targetProblem, type TrafficClientSpec } from '../../traffic/index.js';
import { RunContext } from '../../run/index.js';
import { callProblem, sandboxTargetProblem, serverNames } from '../../topology/index.js';
import { withSandbox } from '../claim.js';
import { positiveInt, topologyFileOf, type GlobalOptions } from '../context.js';
import { abortOnInterrupt } from '../interrupt.js';

interface WatchFlags {
  target: string;
  lb: string[];
  concurrency: number;
  observe?: boolean;
  /** A method of a server of yours, called with an empty message. */
  method?: string;
}

export function watchClients(flags: WatchFlags, lbGiven = false): TrafficClientSpec[] {
  const wrong = targetProblem(flags.target);
  if (wrong) throw new InputError(`--target: ${wrong}`);
  if (isXdsTarget(flags.target)) {
    // The control plane chooses the balancer: one client, labelled by the policy it serves.
    if (lbGiven)
      throw new InputError('--lb: an xds: target takes its balancer from the control plane', {
        hint: 'Drop --lb; `lab xds status` shows the policy it serves, and a scenario’s xds action changes it.',
      });
    return [{ name: 'proxyless', target: flags.target, serviceConfig: serviceConfigFrom('round_robin'), concurrency: flags.concurrency, deadlineMs: 1000 }];
  }
  return flags.lb.map((lb, i) => ({
    name: flags.lb.indexOf(lb) === i ? lb.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 16) || `c${i + 1}` : `${lb}-${i + 1}`,
    target: flags.target,
    serviceConfig: serviceConfigFrom(lb),
    concurrency: flags.concurrency,
    deadlineMs: 1000,
  }));
}

/**
 * ink draws only the last frame when it sees CI set (it reads it once, when first loaded). The view
 * runs on a terminal, where a person watches: it must draw every frame.
 */
export function liveFramesOnTerminal(): void {
  if (process.stdout.isTTY && process.stdin.isTTY) process.env.CI = 'false';
}

export async function runView(cmd: Command, flags: WatchFlags, bringUp: boolean): Promise<void> {
  let clients = watchClients(flags, cmd.getOptionValueSource('lb') === 'cli'); // flags first: a typo is named even off a terminal
  const topologyFile = topologyFileOf(cmd.optsWithGlobals<GlobalOptions>());
  const run = RunContext.open({ topologyFile });
  const base = run.topology;
  const wrong = sandboxTargetProblem(flags.target, base);
  if (wrong) throw new InputError(`--target: ${wrong}`);
  const callWrong = callProblem(flags.target, base, flags.method);
  if (callWrong)
    throw new InputError(`${flags.method === undefined ? '--target' : '--method'}: ${callWrong}`, { hint: 'Give --method /package.Service/Method.' });
  if (flags.method) clients = clients.map((c) => ({ ...c, method: flags.method, names: serverNames(base) }));
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new InputError(`the rebalance view needs a terminal (stdin and stdout are not both one here)`, {
      hint: 'For pipes and CI: `lab play FILE --no-tui` prints plain lines, `lab traffic` prints per-second lines, `lab status --json` the cluster.',
    });
  }
  const rt = run.rt;
  await rt.ping(1000);
  const interrupt = abortOnInterrupt();
  try {
    liveFramesOnTerminal();
    const { runWatch } = await import('../../view/index.js');
    await withSandbox(rt, base, () => runWatch({ base: run, clients, bringUp, signal: interrupt.signal, observe: flags.observe }));
  } finally {
    interrupt.dispose();
  }
}

export const DEFAULT_VIEW_FLAGS: WatchFlags = { target: 'etcd:///echo', lb: ['pick_first', 'round_robin'], concurrency: 4 };

function addViewOptions(cmd: Command): Command {
  return cmd
    .option('-t, --target <target>', 'what the clients dial', DEFAULT_VIEW_FLAGS.target)
    .option('--lb <policies...>', 'one client per balancer, side by side', DEFAULT_VIEW_FLAGS.lb)
    .option('--concurrency <n>', 'calls in flight per client', positiveInt('--concurrency', 10_000), DEFAULT_VIEW_FLAGS.concurrency)
    .option('--method <path>', 'call this method of a server of yours (x-lab.role: server) with an empty message, e.g. /helloworld.Greeter/SayHello')
    .option('--observe', "also show every client the echo servers see (by x-lab-client metadata; 'others' without it): your own clients beside the lab's");
}

export function registerWatch(program: Command): void {
  addViewOptions(
    program
      .command('watch')
      .description('open the rebalance view on the running sandbox: traffic per backend, cluster state, failures on keys (? for help, q quits)'),
  ).action((flags: WatchFlags, cmd: Command) => runView(cmd, flags, false));
}
