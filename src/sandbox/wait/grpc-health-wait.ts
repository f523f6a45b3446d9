// Ready when grpc.health.v1.Health/Check answers SERVING. One channel for the whole wait: on a
// loaded machine (100 echo servers starting on two cores) a connect and its HTTP/2 handshake can
// take longer than one probe's deadline; a channel per probe would start over every time and never
// get there. Each probe allows more time than the one before, up to 2 s.
import { healthProbe } from '../../grpc/index.js';
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

export const grpcHealthWait = (address: string): WaitStrategy => {
  let probe: ReturnType<typeof healthProbe> | undefined;
  let attempt = 0;
  return {
    what: `gRPC health at ${address}`,
    async probe() {
      probe ??= healthProbe(address);
      const s = await probe.check(Math.min(2000, 500 + 150 * attempt++));
      return s === 'SERVING' ? READY : notReady(s);
    },
    close() {
      probe?.close();
      probe = undefined;
    },
  };
};
