// lab router [--listen ADDR] [--route SERVICE=TARGET[@LB] ...] [--json]: the lab's gRPC router
// (seed 003) on a loopback address, until Ctrl-C. Each request is routed by its gRPC service and
// balanced on its own; messages pass through undecoded.
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { GrpcRouter, type Route } from '../../router/index.js';
import { serviceConfigFrom, sandboxResolverOptions, targetProblem } from '../../traffic/index.js';
import { sandboxTargetProblem, type Topology, isLoopback } from '../../topology/index.js';
import { topologyFrom, type GlobalOptions } from '../context.js';
import { abortOnInterrupt } from '../interrupt.js';
import { c, printJson, table } from '../output.js';

/** "grpc.examples.echo.Echo=etcd:///echo@round_robin", "*=consul:///echo?healthy=true". */
export function parseRoute(spec: string, t?: Topology): Route {
  const m = /^([^=\s]+)=([^@\s]+)(?:@(.+))?$/.exec(spec);
  if (!m) throw new InputError(`--route expects SERVICE=TARGET[@BALANCER], e.g. "*=etcd:///echo@round_robin", found "${spec}"`);
  const wrong = targetProblem(m[2]) ?? (t ? sandboxTargetProblem(m[2], t) : undefined);
  if (wrong) throw new InputError(`--route ${spec}: ${wrong}`);
  try {
    return { service: m[1], target: m[2], serviceConfig: serviceConfigFrom(m[3] ?? 'round_robin') };
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`--route ${spec}: ${err.message.replace(/^--lb: /, '')}`, { hint: err.hint });
    throw err;
  }
}

export function registerRouter(program: Command): void {
  program
    .command('router')
    .description("run the lab's gRPC router: routes each request by its gRPC service to an upstream and balances it on its own (Ctrl-C stops)")
    .option('--listen <addr>', "loopback address and port (default: the topology's x-lab.router, 127.77.0.5:50070)")
    .option('--route <service=target[@lb]>', 'a route (repeatable; default *=etcd:///echo@round_robin)', (v: string, all: string[]) => [...all, v], [])
    .option('--json', 'print the routes and, at the end, the counts as JSON')
    .action(async (opts: { listen?: string; route: string[]; json?: boolean }, cmd: Command) => {
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>());
      const listen = opts.listen ?? t.router;
      const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(listen);
      if (!m || !isLoopback(m[1]) || Number(m[2]) < 1 || Number(m[2]) > 65535)
        throw new InputError(`--listen expects a loopback address and a port from 1 to 65535 (127.x.y.z:PORT), found "${listen}"`);
      const owner = t.instances.find((i) => i.ports.some((p) => p.hostIp === m[1] && p.hostPort === Number(m[2]) && p.protocol === 'tcp'));
      if (owner) throw new InputError(`--listen ${listen} is ${owner.name}'s address in the sandbox; give the router one of its own (default ${t.router})`);
      const routes = (opts.route.length ? opts.route : ['*=etcd:///echo@round_robin']).map((r) => parseRoute(r, t));
      const router = new GrpcRouter(routes, sandboxResolverOptions(t));
      const interrupt = abortOnInterrupt();
      try {
        await router.listen(m[1], Number(m[2])).catch((err: NodeJS.ErrnoException) => {
          throw new InputError(`cannot listen on ${listen}: ${err.code ?? err.message}`, {
            hint: err.code === 'EADDRINUSE' ? 'Another process holds it (a router already running?); pick another with --listen.' : undefined,
          });
        });
        if (opts.json) printJson({ listen, routes: routes.map((r) => ({ service: r.service, target: r.target, serviceConfig: r.serviceConfig })) });
        else {
          process.stdout.write(`${c.green('✔')} the lab's gRPC router listens on ${listen} (Ctrl-C stops)\n\n`);
          process.stdout.write(
            `${table(
              ['SERVICE', 'UPSTREAM', 'BALANCER'],
              routes.map((r) => [r.service, r.target, JSON.stringify(r.serviceConfig.loadBalancingConfig?.[0] ?? {})]),
            )}\n`,
          );
        }
        await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        await router.close();
        interrupt.dispose();
      }
      if (opts.json) printJson(router.stats);
      else process.stdout.write(`${router.stats.requests} request(s) routed, ${router.stats.unrouted} without a route\n`);
    });
}
