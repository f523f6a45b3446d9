// The lab's xDS control plane: ADS (state of the world) and LRS for proxyless gRPC clients, the
// lab's XdsControl, grpc.health.v1 (SERVING once the registry has been read) and reflection, on one
// port. Endpoints come from the sandbox's registry (Consul or etcd); the policy from the lab.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { AdsServer } from './ads.js';
import { ControlPlane } from './control-plane.js';
import { controlService } from './control-service.js';
import { LrsServer } from './lrs.js';
import { loadXdsProtos } from './protos.js';
import { ConsulSource } from './sources/consul.js';
import { EtcdSource } from './sources/etcd.js';
import type { EndpointSource } from './sources/source.js';
import { StateStore } from './state-store.js';

export interface XdsConfig {
  bind: string;
  port: number;
  /** The service clients ask for: xds:///echo → listener "echo". */
  service: string;
  source: 'consul' | 'etcd';
  consul: string;
  etcd: string[];
  etcdPrefix: string;
  lrsIntervalMs: number;
  depsDir: string;
  protoDir: string;
  /** The etcd key its state is kept under (policy, versions, load reports); unset: it keeps nothing across restarts. */
  stateKey?: string;
}

export interface RunningXds {
  port: number;
  plane: ControlPlane;
  stop(): Promise<void>;
}

export async function startXds(cfg: XdsConfig, log: (msg: string) => void = () => undefined, given?: EndpointSource): Promise<RunningXds> {
  const protos = loadXdsProtos(cfg.depsDir, cfg.protoDir);
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const store = cfg.stateKey ? new StateStore(cfg.etcd, cfg.stateKey, log) : undefined;
  const kept = (await store?.load()) ?? {};
  if (kept.policy) log(`state: the policy pushed before (versions ${JSON.stringify(kept.counters ?? {})}) is in force again`);
  const plane = new ControlPlane(cfg.service, kept);
  const lrs = new LrsServer(cfg.lrsIntervalMs, kept.loads, () => store?.save({ loads: lrs.all() }));
  plane.onChange(() => store?.save({ policy: plane.policy, counters: { ...plane.counters } }));
  const ads = new AdsServer(plane.snapshot, now, log, (nodeId) => lrs.endFor(nodeId));
  plane.onChange(() => ads.push());
  const source: EndpointSource =
    given ??
    (cfg.source === 'etcd' ? new EtcdSource(cfg.etcd, `${cfg.etcdPrefix.replace(/\/$/, '')}/${cfg.service}/`) : new ConsulSource(cfg.consul, cfg.service));
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  source.start((endpoints) => {
    plane.setEndpoints(endpoints);
    health.setStatus('', 'SERVING');
  });

  // No channelz: nothing reads it here, and it costs ~10% of the server's CPU per call and per
  // connection (Consul's gRPC check opens one every interval).
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 500,
    'grpc.enable_channelz': 0,
  });
  server.addService(protos.envoy.envoy.service.discovery.v3.AggregatedDiscoveryService.service, {
    StreamAggregatedResources: ads.stream,
    // The lab speaks state of the world only (as @grpc/grpc-js-xds does).
    DeltaAggregatedResources: (call: { end(): void }) => call.end(),
  });
  server.addService(protos.envoy.envoy.service.load_stats.v3.LoadReportingService.service, { StreamLoadStats: lrs.stream });
  server.addService(
    protos.control.lab.xds.v1.XdsControl.service,
    controlService(plane, ads, lrs, source, now, () => store?.flush() ?? Promise.resolve()),
  );
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${cfg.bind}:${cfg.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  log(`xDS control plane on ${cfg.bind}:${port} for ${cfg.service}, endpoints from ${cfg.source}`);
  return {
    port,
    plane,
    async stop() {
      source.stop();
      ads.close();
      await store?.close();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
