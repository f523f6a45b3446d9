// Channel options that point the lab's resolvers at a sandbox's etcd and Consul.
import type { ChannelOptions } from '@grpc/grpc-js';
import type { Topology } from '../../topology/index.js';
import { CONSUL_ADDRESS_OPTION } from './resolver-consul.js';
import { ETCD_ENDPOINTS_OPTION, ETCD_PREFIX_OPTION } from './resolver-etcd.js';

export function resolverOptions(sandbox: { etcd: string; etcdPrefix: string; consul: string }): ChannelOptions {
  return { [ETCD_ENDPOINTS_OPTION]: sandbox.etcd, [ETCD_PREFIX_OPTION]: sandbox.etcdPrefix, [CONSUL_ADDRESS_OPTION]: sandbox.consul };
}

/** The same, for a sandbox's topology: its etcd members, registration prefix and Consul. */
export function sandboxResolverOptions(t: Pick<Topology, 'etcd' | 'consul' | 'registration'>): ChannelOptions {
  return resolverOptions({ etcd: t.etcd.hostAddress, etcdPrefix: t.registration.etcdPrefix, consul: t.consul.hostAddress });
}
