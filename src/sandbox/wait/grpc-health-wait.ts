// Ready when grpc.health.v1.Health/Check answers SERVING.
import { checkHealth } from '../../grpc/index.js';
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

export const grpcHealthWait = (address: string): WaitStrategy => ({
  what: `gRPC health at ${address}`,
  async probe() {
    const s = await checkHealth(address, 500);
    return s === 'SERVING' ? READY : notReady(s);
  },
});
