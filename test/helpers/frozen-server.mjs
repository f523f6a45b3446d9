// A gRPC server in a process of its own, for tests that freeze (SIGSTOP) or kill it: grpc.health.v1
// (saying LAB_HEALTH_STATUS, SERVING by default) and grpc.testing.TestService's EmptyCall-shaped
// method of any name (/greet.Greeter/SayHello answers an empty message, after LAB_DELAY_MS).
// LAB_MAX_STREAMS caps its concurrent streams per connection; LAB_MAX_AGE_MS sends each connection
// a GOAWAY after that long (max_connection_age). Prints "port N" once bound.
import grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

const int = (k) => (process.env[k] ? Number(process.env[k]) : undefined);
const server = new grpc.Server({
  ...(int('LAB_MAX_STREAMS') ? { 'grpc.max_concurrent_streams': int('LAB_MAX_STREAMS') } : {}),
  ...(int('LAB_MAX_AGE_MS') ? { 'grpc.max_connection_age_ms': int('LAB_MAX_AGE_MS'), 'grpc.max_connection_age_grace_ms': 5000 } : {}),
});
const delayMs = int('LAB_DELAY_MS') ?? 0;
new HealthImplementation({ '': process.env.LAB_HEALTH_STATUS || 'SERVING' }).addToServer(server);
const empty = {
  path: '/greet.Greeter/SayHello',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b) => b,
  requestDeserialize: (b) => b,
  responseSerialize: (b) => b,
  responseDeserialize: (b) => b,
};
server.addService(
  { SayHello: empty },
  { SayHello: (_call, cb) => (delayMs ? setTimeout(() => cb(null, Buffer.alloc(0)), delayMs) : cb(null, Buffer.alloc(0))) },
);
server.bindAsync(`127.0.0.1:${process.env.PORT || 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`port ${port}\n`);
});
