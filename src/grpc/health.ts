// grpc.health.v1.Health clients, typed by the generated types: one Check for
// readiness waits and `lab status`, and the client the health_checked balancer watches with.
import { credentials, makeClientConstructor, type ChannelOptions } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { HealthClient } from './generated/grpc/health/v1/Health.js';
import { healthProbe } from '../util/health-probe.js';

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

export { healthProbe } from '../util/health-probe.js';
