// The echo server: Echo + grpc.health.v1.Health + reflection + the lab's Control service on one
// port, and grpc's interop test services (grpc.testing.TestService, XdsUpdateHealthService) so grpc's
// own xDS test clients can count against it; registered in etcd and Consul, deregistered on SIGTERM
// or drain.
import path from 'node:path';
import { Server, ServerCredentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { EchoConfig } from './config.js';
import { controlService } from './control-service.js';
import { EchoState } from './echo-state.js';
import { echoService, type EchoCounters } from './echo-service.js';
import { testInterceptor, testService, updateHealthService } from './test-service.js';
import { LOADER } from './loader-options.js';
// Types only (erased from the bundle): the echo imports no code from the rest of the lab.
import type { ProtoGrpcType as ControlProto } from '../grpc/generated/control.js';
import type { ProtoGrpcType as EchoProto } from '../grpc/generated/echo.js';
import type { ProtoGrpcType as TestingProto } from '../grpc/generated/test.js';

/** grpc's interop messages keep their field names as written (response_size, server_id), as grpc's own test servers load them. */
const TESTING_LOADER = { ...LOADER, keepCase: true } as const;

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

/** Graceful stop: NOT_SERVING, deregister (a second at most), GOAWAY, wait up to graceMs for calls, close. */
async function stopGracefully(echo: EchoState, server: Server, graceMs: number): Promise<void> {
  echo.load.stop();
  echo.setServing(false);
  // Deregistering is worth a second, no more: a registry that is down or failing over (an etcd
  // leader just killed) must not hold the GOAWAY back. A lease not revoked runs out by itself.
  await Promise.race([Promise.all([echo.etcd?.stop(), echo.consul?.stop()]), new Promise((r) => setTimeout(r, 1000).unref())]);
  echo.link?.stopAccepting();
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
  echo.link?.close();
}

export async function startEcho(cfg: EchoConfig, hooks: EchoHooks = {}): Promise<RunningEcho> {
  const log = hooks.log ?? (() => undefined);
  const def = loadSync([path.join(cfg.protoDir, 'echo.proto'), path.join(cfg.protoDir, 'control.proto')], LOADER);
  // The one cast: loadPackageDefinition is untyped; the generated ProtoGrpcType describes it.
  const pkg = loadPackageDefinition(def) as unknown as EchoProto & ControlProto;
  const echo = new EchoState(cfg, log);
  // No channelz: nothing reads it here, and it costs ~10% of the server's CPU per call and per
  // connection (Consul's gRPC check opens one every interval).
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 500,
    'grpc.enable_channelz': 0,
    // gRFC A9: a GOAWAY after this long (grpc-js adds up to 10% jitter), calls in flight get 5 s more.
    ...(cfg.maxConnectionAgeMs ? { 'grpc.max_connection_age_ms': cfg.maxConnectionAgeMs, 'grpc.max_connection_age_grace_ms': 5000 } : {}),
    interceptors: [testInterceptor(cfg.id)],
  });
  const testing = loadPackageDefinition(
    loadSync(path.join(cfg.protoDir, 'grpc/testing/test.proto'), { ...TESTING_LOADER, includeDirs: [cfg.protoDir] }),
  ) as unknown as TestingProto;
  server.addService(testing.grpc.testing.TestService.service, testService(echo));
  server.addService(testing.grpc.testing.XdsUpdateHealthService.service, updateHealthService(echo));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 1000): Promise<void> => (stopping ??= stopGracefully(echo, server, graceMs));
  server.addService(pkg.grpc.examples.echo.Echo.service, echoService(cfg.id, echo.faults, echo.counters, echo.served));
  server.addService(
    pkg.lab.control.v1.Control.service,
    controlService(echo, (graceMs) => void stop(graceMs).then(() => hooks.onDrained?.())),
  );
  echo.health.addToServer(server);
  echo.load.addToServer(server, cfg.protoDir);
  echo.load.start();
  new ReflectionService(def).addToServer(server);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${cfg.bind}:${cfg.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  log(`listening on ${cfg.bind}:${port} as ${cfg.id} (host ${cfg.hostAddress}, cluster ${cfg.clusterAddress})`);
  let linkPort: number | undefined;
  if (echo.link) {
    echo.link.upstream.port = port; // the port actually bound (cfg.port may be 0)
    linkPort = await echo.link.listen(cfg.bind, cfg.linkPort);
    log(`link proxy on ${cfg.bind}:${linkPort} -> 127.0.0.1:${port}`);
  }

  // Registration runs in the background with retries: a backend comes up before its registries may.
  void echo.etcd?.start();
  void echo.consul?.start();
  return { port, linkPort, stop, health: echo.health, counters: echo.counters };
}
