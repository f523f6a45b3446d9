// What a test driver asks the lab's xDS test client, on its stats port (loopback only):
// grpc.testing.LoadBalancerStatsService, XdsUpdateClientConfigureService, and grpc-js's admin
// services (with grpc-js-xds registered: CSDS, envoy.service.status.v3.ClientStatusDiscoveryService,
// the client's own view of the xDS resources it holds).
import { addAdminServicesToServer, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { testingProtos } from '../grpc/index.js';
import type { ClientConfigureRequest__Output } from '../grpc/generated/grpc/testing/ClientConfigureRequest.js';
import type { ClientConfigureResponse } from '../grpc/generated/grpc/testing/ClientConfigureResponse.js';
import type { LoadBalancerStatsRequest__Output } from '../grpc/generated/grpc/testing/LoadBalancerStatsRequest.js';
import type { LoadBalancerStatsResponse } from '../grpc/generated/grpc/testing/LoadBalancerStatsResponse.js';
import type { LoadBalancerAccumulatedStatsResponse } from '../grpc/generated/grpc/testing/LoadBalancerAccumulatedStatsResponse.js';
import { RPC_ENUM, type RpcType, type XdsTestClient } from './test-client.js';

/** RPC_ENUM read backwards: the method an enum name in a ClientConfigureRequest means. */
const TYPE_OF = Object.fromEntries(Object.entries(RPC_ENUM).map(([type, name]) => [name, type])) as Record<string, RpcType>;

/** Serves the client's stats and configuration on `address` (host:port); resolves with the port bound. */
export async function startStatsServer(client: XdsTestClient, address: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new Server();
  const t = testingProtos().grpc.testing;
  server.addService(t.LoadBalancerStatsService.service, {
    GetClientStats(call: ServerUnaryCall<LoadBalancerStatsRequest__Output, LoadBalancerStatsResponse>, cb: sendUnaryData<LoadBalancerStatsResponse>) {
      void client.statsOfNext(call.request.num_rpcs, call.request.timeout_sec).then((r) => cb(null, r));
    },
    GetClientAccumulatedStats(_call: ServerUnaryCall<object, LoadBalancerAccumulatedStatsResponse>, cb: sendUnaryData<LoadBalancerAccumulatedStatsResponse>) {
      cb(null, client.accumulatedStats());
    },
  });
  server.addService(t.XdsUpdateClientConfigureService.service, {
    Configure(call: ServerUnaryCall<ClientConfigureRequest__Output, ClientConfigureResponse>, cb: sendUnaryData<ClientConfigureResponse>) {
      const r = call.request;
      client.configure(
        r.types.map((x) => TYPE_OF[x]).filter(Boolean),
        r.metadata.map((m) => ({ type: TYPE_OF[m.type], key: m.key, value: m.value })).filter((m) => m.type),
        r.timeout_sec,
      );
      cb(null, {});
    },
  });
  addAdminServicesToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
