// The echo server: Echo + grpc.health.v1.Health + reflection + the lab's Control service on one
// port, registered in etcd and Consul, deregistered on SIGTERM or drain.
import path from 'node:path';
import { Server, ServerCredentials, loadPackageDefinition, status, type GrpcObject, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { EchoConfig } from './config.js';
import { FaultState, type Fault } from './faults.js';
import { echoService, type EchoCounters } from './echo-service.js';
import { EtcdRegistrar, type Registration } from './register-etcd.js';
import { ConsulRegistrar } from './register-consul.js';
import { LoadMeter } from './load-report.js';
import { LinkProxy } from './link/link-proxy.js';
import type { LinkFault } from './link/link-fault.js';

const LOADER = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true } as const;

export interface RunningEcho {
  port: number;
  /** The link proxy's port, when there is one. */
  linkPort?: number;
  /** Graceful stop: NOT_SERVING, deregister, GOAWAY, wait up to graceMs for calls, then close. */
  stop(graceMs?: number): Promise<void>;
  health: HealthImplementation;
  counters: EchoCounters;
}

export interface EchoHooks {
  log?: (msg: string) => void;
  /** Called once a Drain request has finished draining (the image's entry point exits then). */
  onDrained?: () => void;
}

export async function startEcho(cfg: EchoConfig, hooks: EchoHooks = {}): Promise<RunningEcho> {
  const log = hooks.log ?? (() => undefined);
  const files = [path.join(cfg.protoDir, 'echo.proto'), path.join(cfg.protoDir, 'control.proto')];
  const def = loadSync(files, LOADER);
  const pkg = loadPackageDefinition(def);
  const echoDef = ((pkg.grpc as GrpcObject).examples as GrpcObject).echo as GrpcObject;
  const controlDef = ((pkg.lab as GrpcObject).control as GrpcObject).v1 as GrpcObject;

  const faults = new FaultState();
  const counters: EchoCounters = { calls: 0, injectedFailures: 0 };
  const health = new HealthImplementation({ '': 'SERVING', [`grpc.examples.echo.Echo`]: 'SERVING' });
  const startedAt = Date.now();
  let serving = true;

  const registration: Registration = {
    id: cfg.id,
    service: cfg.service,
    host: cfg.hostAddress,
    cluster: cfg.clusterAddress,
    weight: cfg.weight,
    zone: cfg.zone,
    metadata: {},
  };
  const etcd = cfg.etcd
    ? new EtcdRegistrar(cfg.etcd.endpoints, cfg.etcd.prefix, cfg.etcd.leaseTtlSeconds, registration, log)
    : undefined;
  const consul = cfg.consul
    ? new ConsulRegistrar(cfg.consul.url, registration, cfg.consul.checkInterval, cfg.consul.deregisterAfter, log)
    : undefined;

  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 500,
  } as never);
  const load = new LoadMeter(counters);
  const link = cfg.linkPort ? new LinkProxy({ host: '127.0.0.1', port: cfg.port }) : undefined;

  const setServing = (on: boolean) => {
    serving = on;
    const s = on ? 'SERVING' : 'NOT_SERVING';
    health.setStatus('', s);
    health.setStatus('grpc.examples.echo.Echo', s);
  };

  const stats = async () => ({
    id: cfg.id,
    hostAddress: cfg.hostAddress,
    clusterAddress: cfg.clusterAddress,
    calls: String(counters.calls),
    injectedFailures: String(counters.injectedFailures),
    serving,
    fault: faults.current,
    etcdKey: etcd?.key ?? '',
    etcdLease: (await etcd?.leaseHex()) ?? '',
    consulRegistered: consul?.registered ?? false,
    uptimeMs: String(Date.now() - startedAt),
    weight: registration.weight,
    link: link?.stats(),
  });
  const unary =
    <Req>(fn: (req: Req) => void | Promise<void>) =>
    async (call: ServerUnaryCall<Req, unknown>, cb: sendUnaryData<unknown>) => {
      try {
        await fn(call.request);
        cb(null, await stats());
      } catch (err) {
        cb({ code: status.INTERNAL, details: (err as Error).message });
      }
    };

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 1000): Promise<void> =>
    (stopping ??= (async () => {
      load.stop();
      setServing(false);
      // Deregistering is worth a second, no more: a registry that is down or failing over (an etcd
      // leader just killed) must not hold the GOAWAY back. A lease not revoked runs out by itself.
      await Promise.race([Promise.all([etcd?.stop(), consul?.stop()]), new Promise((r) => setTimeout(r, 1000).unref())]);
      link?.stopAccepting();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        // tryShutdown sends GOAWAY to every connection and waits for in-flight calls.
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      link?.close();
    })());

  server.addService((echoDef.Echo as unknown as { service: ServiceDefinition }).service, echoService(cfg.id, faults, counters));
  server.addService((controlDef.Control as unknown as { service: ServiceDefinition }).service, {
    SetFault: unary<{ fault?: Fault }>((req) => faults.set(req.fault ?? {})),
    SetLinkFault: unary<{ fault?: Partial<LinkFault> }>((req) => {
      if (!link) throw new Error('this echo server runs without a link proxy (LAB_LINK_PORT is not set)');
      link.set(req.fault);
    }),
    SetHealth: unary<{ serving: boolean }>((req) => setServing(req.serving)),
    SetWeight: unary<{ weight: number }>(async (req) => {
      registration.weight = req.weight;
      // Registrations carry the weight: put the etcd value again, register with Consul again.
      await Promise.all([etcd?.refresh(), consul?.registered ? consul.start() : undefined]);
    }),
    SetConsulRegistration: unary<{ registered: boolean }>(async (req) => {
      if (!consul) throw new Error('this echo server has no Consul agent configured');
      await (req.registered ? consul.start() : consul.stop());
    }),
    GetStats: unary(() => undefined),
    ResetStats: unary(() => {
      counters.calls = 0;
      counters.injectedFailures = 0;
    }),
    Drain: unary<{ graceMs: number }>((req) => {
      // Answer first, then drain: GOAWAY, deregister, exit.
      setTimeout(() => void stop(req.graceMs || 1000).then(() => hooks.onDrained?.()), 10);
    }),
  });
  health.addToServer(server);
  load.addToServer(server);
  load.start();
  new ReflectionService(def).addToServer(server);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${cfg.bind}:${cfg.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  log(`listening on ${cfg.bind}:${port} as ${cfg.id} (host ${cfg.hostAddress}, cluster ${cfg.clusterAddress})`);
  if (link) link.upstream.port = port; // the port actually bound (cfg.port may be 0)
  const linkPort = link ? await link.listen(cfg.bind, cfg.linkPort) : undefined;
  if (link) log(`link proxy on ${cfg.bind}:${linkPort} -> 127.0.0.1:${port}`);

  // Registration runs in the background with retries: a backend comes up before its registries may.
  void etcd?.start();
  void consul?.start();

  return { port, linkPort, stop, health, counters };
}
