// grpc's xDS interop test client, the lab's own: the client (test-client.ts) and what a test driver
// asks it (stats-server.ts). The echo servers are the interop test servers (src/echo/test-service.ts).
export { XdsTestClient, RPC_ENUM, type RpcType, type TestClientOptions } from './test-client.js';
export { startStatsServer } from './stats-server.js';
