// lab router [--listen ADDR] [--route SERVICE=TARGET[@LB] ...] [--abort METHOD=CODE@PERCENT ...]
// [--delay METHOD=DURATION@PERCENT ...] [--json]: the lab's gRPC router (seed 003) on a loopback
// address, until Ctrl-C. Each request is routed by its gRPC service and balanced on its own; its
// frames pass through undecoded; a share of a method's calls can be delayed or aborted.
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { describeRouterFault, GrpcRouter, methodPatternProblem, type Route, type RouterFault } from '../../router/index.js';
import { duration, fraction, toFraction, toMs } from '../../util/units.js';
import { FAILURE_STATUS_NAMES, statusCode, type StatusName } from '../../wire/index.js';
import { closest } from '../../util/suggest.js';
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

/** "--abort /pkg.Svc/Method=UNAVAILABLE@30%", "--delay '*=200ms@50%'": one rule each (the same method's merge). */
export function parseFaults(aborts: string[], delays: string[]): RouterFault[] {
  const byMethod = new Map<string, RouterFault>();
  const one = (flag: string, spec: string, example: string) => {
    const m = /^([^=\s]+)=([^@\s]+)@(\S+)$/.exec(spec);
    if (!m) throw new InputError(`${flag} expects METHOD=${flag === '--abort' ? 'CODE' : 'DURATION'}@PERCENT, e.g. ${example}, found "${spec}"`);
    const wrong = methodPatternProblem(m[1]);
    if (wrong) throw new InputError(`${flag} ${spec}: ${wrong}`);
    // The same rules as a scenario's percent and duration (util/units).
    const share = fraction.safeParse(m[3]);
    if (!share.success) throw new InputError(`${flag} ${spec}: ${share.error.issues[0].message}`);
    const rule = byMethod.get(m[1]) ?? { method: m[1] };
    byMethod.set(m[1], rule);
    return { value: m[2], percent: toFraction(share.data) * 100, rule };
  };
  for (const spec of aborts) {
    const { value, percent, rule } = one('--abort', spec, '/grpc.examples.echo.Echo/UnaryEcho=UNAVAILABLE@30%');
    const name = value.toUpperCase();
    if (!FAILURE_STATUS_NAMES.includes(name as StatusName)) {
      const guess = closest(name, FAILURE_STATUS_NAMES, 4);
      throw new InputError(
        `--abort ${spec}: "${value}" is not a gRPC status${guess ? ` (did you mean ${guess}?)` : ''}; one of ${FAILURE_STATUS_NAMES.join(', ')}`,
      );
    }
    rule.abort = { code: statusCode(name as StatusName), percent };
  }
  for (const spec of delays) {
    const { value, percent, rule } = one('--delay', spec, "'*=200ms@50%'");
    const ms = duration.safeParse(value);
    if (!ms.success) throw new InputError(`--delay ${spec}: ${ms.error.issues[0].message}`);
    rule.delay = { ms: toMs(ms.data), percent };
  }
  return [...byMethod.values()];
}

export function registerRouter(program: Command): void {
  program
    .command('router')
    .description("run the lab's gRPC router: routes each request by its gRPC service to an upstream and balances it on its own (Ctrl-C stops)")
    .option('--listen <addr>', "loopback address and port (default: the topology's x-lab.router, 127.77.0.5:50070)")
    .option('--route <service=target[@lb]>', 'a route (repeatable; default *=etcd:///echo@round_robin)', (v: string, all: string[] = []) => [...all, v])
    .option(
      '--abort <method=code@percent>',
      "abort a share of a method's calls with a status, e.g. /grpc.examples.echo.Echo/UnaryEcho=UNAVAILABLE@30% (repeatable; METHOD may be /pkg.Svc/* or *)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--delay <method=duration@percent>', 'delay a share of a method\'s calls, e.g. "*=200ms@50%" (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--json', 'print the routes and, at the end, the counts as JSON')
    .action(async (opts: { listen?: string; route?: string[]; abort?: string[]; delay?: string[]; json?: boolean }, cmd: Command) => {
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>());
      const listen = opts.listen ?? t.router;
      const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(listen);
      if (!m || !isLoopback(m[1]) || Number(m[2]) < 1 || Number(m[2]) > 65535)
        throw new InputError(`--listen expects a loopback address and a port from 1 to 65535 (127.x.y.z:PORT), found "${listen}"`);
      const owner = t.instances.find((i) => i.ports.some((p) => p.hostIp === m[1] && p.hostPort === Number(m[2]) && p.protocol === 'tcp'));
      if (owner) throw new InputError(`--listen ${listen} is ${owner.name}'s address in the sandbox; give the router one of its own (default ${t.router})`);
      const routes = (opts.route?.length ? opts.route : ['*=etcd:///echo@round_robin']).map((r) => parseRoute(r, t));
      const faults = parseFaults(opts.abort ?? [], opts.delay ?? []);
      const router = new GrpcRouter(routes, sandboxResolverOptions(t), { faults });
      const interrupt = abortOnInterrupt();
      try {
        await router.listen(m[1], Number(m[2])).catch((err: NodeJS.ErrnoException) => {
          throw new InputError(`cannot listen on ${listen}: ${err.code ?? err.message}`, {
            hint: err.code === 'EADDRINUSE' ? 'Another process holds it (a router already running?); pick another with --listen.' : undefined,
          });
        });
        if (opts.json)
          printJson({
            listen,
            routes: routes.map((r) => ({ service: r.service, target: r.target, balancer: router.balancerOf(r), serviceConfig: r.serviceConfig })),
            faults,
          });
        else {
          process.stdout.write(`${c.green('✔')} the lab's gRPC router listens on ${listen} (Ctrl-C stops)\n\n`);
          process.stdout.write(
            `${table(
              ['SERVICE', 'UPSTREAM', 'BALANCER'],
              routes.map((r) => [r.service, r.target, router.balancerOf(r)]),
            )}\n`,
          );
          for (const f of faults) process.stdout.write(`  fault ${describeRouterFault(f)}\n`);
        }
        await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        await router.close();
        interrupt.dispose();
      }
      if (opts.json) printJson(router.stats);
      else {
        const st = router.stats;
        process.stdout.write(`${st.requests} request(s) routed, ${st.unrouted} without a route\n`);
        for (const [address, n] of Object.entries(st.byBackend)) process.stdout.write(`  ${address}  ${n.calls} call(s), ${n.errors} not OK\n`);
        for (const [method, n] of Object.entries(st.faults)) process.stdout.write(`  ${method}  ${n.aborted} aborted, ${n.delayed} delayed of ${n.calls}\n`);
      }
    });
}
