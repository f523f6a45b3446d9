// Registers the lab's resolvers with grpc-js. The built-in ones stay usable: dns: (against Consul's
// DNS interface with dns://<consul>:8600/<name>:<port>) and static ipv4: lists.
import { setup as setupConsul } from './resolver-consul.js';
import { setup as setupEtcd } from './resolver-etcd.js';

let done = false;

export function registerResolvers(): void {
  if (done) return;
  done = true;
  setupEtcd();
  setupConsul();
}
