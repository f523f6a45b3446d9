// A Node client the lab does not drive: plain @grpc/grpc-js with a service config of its own
// (round_robin, and a retry policy for UNAVAILABLE), dialing every echo server
// (ipv4:$LAB_ECHO_ADDRESSES) or the target given. It calls UnaryEcho at a steady rate until SIGTERM,
// tags each call with x-lab-client: $LAB_CLIENT_NAME, and prints its own view once a second: calls
// per backend and the errors it saw. The servers see more: every failed attempt a retry hid.
//
//   node echo_client.mjs [--target T] [--rate N] [--no-retry]
//
// It takes @grpc/grpc-js and @grpc/proto-loader from the lab's node_modules (in your project, from yours).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: `ipv4:${process.env.LAB_ECHO_ADDRESSES ?? '127.77.1.1:50051'}` },
    rate: { type: 'string', default: '200' },
    'no-retry': { type: 'boolean', default: false },
  },
});

const here = path.dirname(fileURLToPath(import.meta.url));
const def = protoLoader.loadSync(path.join(here, '../../../protos/echo.proto'));
const { Echo } = grpc.loadPackageDefinition(def).grpc.examples.echo;

const serviceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: values['no-retry']
    ? []
    : [
        {
          name: [{ service: 'grpc.examples.echo.Echo' }],
          retryPolicy: { maxAttempts: 4, initialBackoff: '0.01s', maxBackoff: '0.1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
        },
      ],
};
const client = new Echo(values.target, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(serviceConfig) });
const md = new grpc.Metadata();
md.set('x-lab-client', process.env.LAB_CLIENT_NAME ?? 'node');

console.log(`calling ${values.target} with round_robin${values['no-retry'] ? '' : ' and retries'} at ${values.rate}/s`);
let counts = {};
let errors = {};
const calls = setInterval(
  () => {
    client.UnaryEcho({ message: 'hi' }, md, { deadline: Date.now() + 1000 }, (err, reply) => {
      if (err) errors[grpc.status[err.code]] = (errors[grpc.status[err.code]] ?? 0) + 1;
      else {
        const backend = reply.message.split(':')[0];
        counts[backend] = (counts[backend] ?? 0) + 1;
      }
    });
  },
  1000 / Number(values.rate),
);
const report = setInterval(() => {
  console.log(JSON.stringify({ backends: counts, errors }));
  counts = {};
  errors = {};
}, 1000);

process.on('SIGTERM', () => {
  clearInterval(calls);
  clearInterval(report);
  client.close();
  console.log('stopped');
});
