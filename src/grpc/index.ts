// gRPC pieces every part of the lab shares: typed clients of the echo servers (Echo, the lab's
// Control knobs, grpc.health.v1) and the promise form of a unary call.
import { credentials, type ChannelOptions } from '@grpc/grpc-js';
import type { EchoClient } from './generated/grpc/examples/echo/Echo.js';
import { labProtos } from './load.js';

export { EchoControl, type EchoStats } from './echo-control.js';
export { checkHealth, healthClient, healthProbe, type HealthClient } from './health.js';
export { unary } from './unary.js';
export { labProtos, testingProtos } from './load.js';
export type { EchoClient };
export type { EchoRequest } from './generated/grpc/examples/echo/EchoRequest.js';
export type { EchoResponse__Output } from './generated/grpc/examples/echo/EchoResponse.js';
export type { Fault as FaultMessage } from './generated/lab/control/v1/Fault.js';
export type { LinkFault as LinkFaultMessage } from './generated/lab/control/v1/LinkFault.js';

export function echoClient(target: string, options: ChannelOptions = {}): EchoClient {
  return new (labProtos().grpc.examples.echo.Echo)(target, credentials.createInsecure(), options);
}

/** The control client type actions use (an EchoControl wraps it). */
export type { EchoControl as ControlClient } from './echo-control.js';
