// xds:/// targets: @grpc/grpc-js-xds registers the xds resolver and its balancers with grpc-js.
// It loads many protos, so it is registered the first time a client dials an xds: target, not at
// start. Each of the lab's xDS clients gets its own bootstrap (its node id), through grpc-js-xds's
// per-channel option, so the control plane sees each one apart.
import { createRequire } from 'node:module';
import type { ChannelOptions } from '@grpc/grpc-js';

/** grpc-js-xds's channel option for a bootstrap of this channel alone (the env var is per process). */
export const XDS_BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

let registered = false;

/** grpc-js-xds and its priority balancer's module, as a bundle that imported them hands them over. */
export interface XdsModules {
  xds: { register(): void };
  priority: PriorityModule;
}

/** Loads (or takes, from a bundle: the swarm's agent) grpc-js-xds and registers it, once. */
export function registerXdsClient(loaded?: XdsModules): void {
  if (registered) return;
  registered = true;
  process.env.GRPC_EXPERIMENTAL_XDS_WRR_LB ??= 'true';
  const require = loaded ? undefined : createRequire(import.meta.url);
  const xds = loaded?.xds ?? (require!('@grpc/grpc-js-xds') as XdsModules['xds']);
  xds.register();
  releasePriorityTimers(loaded?.priority ?? (require!('@grpc/grpc-js-xds/build/src/load-balancer-priority.js') as PriorityModule));
}

interface PriorityChild {
  maybeReactivate(): void;
  cancelFailoverTimer(): void;
}

/**
 * grpc-js-xds 1.14.1: a priority child that a config update deactivates arms a 15-minute timer
 * (DEFAULT_RETENTION_INTERVAL_MS) that destroy() does not clear, so a process whose client saw
 * locality priorities change stays alive for 15 minutes after closing its channel. The balancer's
 * destroy() clears its children's timers first here (both are the library's own methods).
 */
interface PriorityModule {
  PriorityLoadBalancer: { prototype: { destroy(): void; children: Map<string, PriorityChild> } };
}

function releasePriorityTimers({ PriorityLoadBalancer }: PriorityModule): void {
  const destroy = PriorityLoadBalancer.prototype.destroy;
  PriorityLoadBalancer.prototype.destroy = function (this: { children: Map<string, PriorityChild> }) {
    for (const child of this.children.values()) {
      child.maybeReactivate();
      child.cancelFailoverTimer();
    }
    destroy.call(this);
  };
}

export const isXdsTarget = (target: string) => /^xds:/i.test(target);

export interface XdsBootstrapOptions {
  /** The control plane's address (host:port). */
  server: string;
  nodeId: string;
  /** The node's zone (locality), and which addresses it should be given (host: loopback; cluster: the lab network). */
  zone?: string;
  addresses?: 'host' | 'cluster';
  metadata?: Record<string, string>;
}

/** A bootstrap (gRFC A27) for one client of the lab's control plane. */
export function xdsBootstrap(o: XdsBootstrapOptions): object {
  return {
    // dns:/// spelled out: a control plane named xds (xds:18000, on a swarm) would read as the xds: scheme.
    xds_servers: [
      { server_uri: o.server.includes('://') ? o.server : `dns:///${o.server}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
    ],
    node: { id: o.nodeId, cluster: 'lab', locality: o.zone ? { zone: o.zone } : {}, metadata: { LAB_ADDRESSES: o.addresses ?? 'host', ...o.metadata } },
  };
}

export function xdsChannelOptions(o: XdsBootstrapOptions): ChannelOptions {
  return { [XDS_BOOTSTRAP_OPTION]: JSON.stringify(xdsBootstrap(o)) };
}
