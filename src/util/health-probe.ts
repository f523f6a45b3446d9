// Health checks of one address on one channel kept between them: grpc.health.v1.Health/Check for a
// service ("" = the server as a whole). The lab's readiness waits and the sidecar's monitor use it.
// The connection, once made, serves every later check, and a failed connect is retried within half
// a second. The channel has a subchannel of its own: grpc-js shares subchannels between channels to
// the same address, so a probe would inherit the backoff of earlier failed ones (1 s, 1.6 s, ... 20 s
// while 100 echo servers start on two cores) and see a ready server long after it was.
import { credentials, makeClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type CheckFn = (req: { service: string }, options: { deadline: number }, cb: (err: ServiceError | null, res?: { status: string | number }) => void) => void;

const HealthClientCtor = makeClientConstructor(healthService, 'grpc.health.v1.Health');

export interface HealthProbe {
  /** SERVING, NOT_SERVING, SERVICE_UNKNOWN, or "error: <the gRPC error's text>" when the call fails. */
  check(timeoutMs: number, service?: string): Promise<string>;
  close(): void;
}

export function healthProbe(address: string): HealthProbe {
  const client = new HealthClientCtor(address, credentials.createInsecure(), {
    'grpc.enable_retries': 0,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
  }) as unknown as Client & { check: CheckFn };
  return {
    check: (timeoutMs, service = '') =>
      new Promise((resolve) => {
        client.check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) =>
          resolve(err ? `error: ${err.details || err.message}` : String(res?.status)),
        );
      }),
    close: () => client.close(),
  };
}
