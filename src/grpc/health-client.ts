// grpc.health.v1.Health Check against one address, for readiness waits and `lab status`.
import { credentials, makeClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type HealthClient = Client & {
  check(req: { service: string }, opts: { deadline: number }, cb: (err: ServiceError | null, res?: { status: string }) => void): void;
};
const HealthClientCtor = makeClientConstructor(healthService, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options?: object,
) => HealthClient;

/** SERVING, NOT_SERVING, SERVICE_UNKNOWN, or the gRPC error's text when the call fails. */
export async function checkHealth(address: string, timeoutMs = 1000, service = ''): Promise<string> {
  const client = new HealthClientCtor(address, credentials.createInsecure(), { 'grpc.enable_retries': 0 });
  try {
    return await new Promise<string>((resolve) =>
      client.check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) => resolve(err ? `error: ${err.details || err.message}` : String(res?.status))),
    );
  } finally {
    client.close();
  }
}
