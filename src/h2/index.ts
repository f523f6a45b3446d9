// h2: HTTP/2 at the frame level, shared by the lab's two frame-level proxies (the router, and the
// sidecar beside a server of yours): frames, HPACK, a connection, a call relayed undecoded, and
// gRPC faults per method.
export { H2Connection, type ConnectionSettings, type StreamHandler } from './connection.js';
export { ERROR } from './frames.js';
export type { Header } from './hpack.js';
export { headerValue, percentEncode, RelayedCall, timeoutMs } from './relayed-call.js';
export { CallFaults, describeCallFault, methodPatternProblem, type CallFault, type FaultCounts, type FaultDecision } from './call-faults.js';
