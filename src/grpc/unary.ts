// A unary call as a promise with a deadline: `unary<Stats__Output>((o, cb) => client.GetStats({}, o, cb))`.
import type { CallOptions, ServiceError } from '@grpc/grpc-js';

export function unary<Res>(start: (options: CallOptions, cb: (err: ServiceError | null, res?: Res) => void) => unknown, timeoutMs = 2000): Promise<Res> {
  return new Promise((resolve, reject) => {
    start({ deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}
