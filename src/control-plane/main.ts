// Entry point of the lab/xds image: the control plane, configured from its environment; SIGTERM
// stops it (clients keep their last resources and reconnect when it is back).
import { startXds } from './server.js';

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
const env = process.env;

startXds(
  {
    bind: env.LAB_XDS_BIND ?? '0.0.0.0',
    port: Number(env.LAB_XDS_PORT ?? 18000),
    service: env.LAB_SERVICE ?? 'echo',
    source: env.LAB_SOURCE === 'etcd' ? 'etcd' : 'consul',
    consul: env.LAB_CONSUL ?? 'consul:8500',
    etcd: (env.LAB_ETCD ?? 'etcd:2379').split(',').filter(Boolean),
    etcdPrefix: env.LAB_ETCD_PREFIX ?? '/lab/services',
    lrsIntervalMs: Number(env.LAB_LRS_INTERVAL_MS ?? 1000),
    depsDir: env.LAB_XDS_DEPS ?? '/app/deps',
    protoDir: env.LAB_PROTO_DIR ?? '/app/protos',
    // What it pushed and reported survives a restart, kept in the sandbox's etcd.
    stateKey: env.LAB_XDS_STATE_KEY ?? `/lab/xds/${env.LAB_SERVICE ?? 'echo'}`,
  },
  log,
).then(
  (xds) => {
    const stop = () => void xds.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (err) => {
    process.stderr.write(`xds: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
