// The yardstick for the driver: a bare grpc-js client loop (plain JS, its own process) with the
// built-in round_robin, N unary calls in flight with the same deadline the driver sets, no
// accounting. Prints {"calls","secs","cpuMs"}. Usage: node bench/bare-loop.mjs TARGET N SECONDS
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const [target, n, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const proto = path.join(path.dirname(fileURLToPath(import.meta.url)), '../protos/echo.proto');
const Echo = loadPackageDefinition(loadSync(proto)).grpc.examples.echo.Echo;
const client = new Echo(target, credentials.createInsecure(), {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.use_local_subchannel_pool': 1,
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let calls = 0;
let running = true;
const loop = () => {
  if (!running) return;
  client.UnaryEcho({ message: 'hello' }, { deadline: Date.now() + 5000 }, (err) => {
    if (!err) calls++;
    loop();
  });
};
for (let i = 0; i < n; i++) loop();
setTimeout(() => {
  running = false;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ calls, secs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  client.close();
  process.exit(0);
}, seconds * 1000);
