// One Echo call as a promise, for tests: the message back, or the gRPC error.
import { unary, type EchoClient, type EchoResponse__Output } from '../../src/grpc/index.js';

export function unaryEcho(client: EchoClient, message: string, timeoutMs = 2000): Promise<EchoResponse__Output> {
  return unary((o, cb) => client.UnaryEcho({ message }, o, cb), timeoutMs);
}
