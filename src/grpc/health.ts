// grpc.health.v1.Health clients, typed by the generated types: one Check for
// readiness waits and `lab status`, and the client the health_checked balancer watches with.
import { credentials, makeClientConstructor, type ChannelOptions } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { HealthClient } from './generated/grpc/health/v1/Health.js';
import { unary } from './unary.js';

export type { HealthClient };

// The one cast: makeClientConstructor is untyped; the generated type describes it.
const HealthClientCtor = makeClientConstructor(healthService, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options?: ChannelOptions,
) => HealthClient;

export function healthClient(address: string, options: ChannelOptions = {}): HealthClient {
  return new HealthClientCtor(address, credentials.createInsecure(), options);
}

/** SERVING, NOT_SERVING, SERVICE_UNKNOWN, or the gRPC error's text when the call fails. */
export async function checkHealth(address: string, timeoutMs = 1000, service = ''): Promise<string> {
  const probe = healthProbe(address);
  try {
    return await probe.check(timeoutMs, service);
  } finally {
    probe.close();
  }
}

/**
 * Health checks of one address on one channel kept between them (readiness waits): the connection,
 * once made, serves every later check, and a failed connect is retried within half a second. The
 * channel has a subchannel of its own: grpc-js shares subchannels between channels to the same
 * address, so a probe would inherit the backoff of earlier failed ones (1 s, 1.6 s, ... 20 s while
 * 100 echo servers start on two cores) and see a ready server long after it was.
 */
export function healthProbe(address: string): { check(timeoutMs: number, service?: string): Promise<string>; close(): void } {
  const client = healthClient(address, {
    'grpc.enable_retries': 0,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
  });
  return {
    check: (timeoutMs, service = '') =>
      unary<{ status: string }>((o, cb) => client.check({ service }, o, cb), timeoutMs).then(
        (res) => String(res.status),
        (err: { details?: string; message: string }) => `error: ${err.details || err.message}`,
      ),
    close: () => client.close(),
  };
}
