// The lab's protos (protos/echo.proto, protos/control.proto), loaded once for host-side clients.
import path from 'node:path';
import { credentials, loadPackageDefinition, type ChannelOptions, type Client, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { packageRoot } from '../util/paths.js';

let loaded: { Echo: ServiceClientConstructor; Control: ServiceClientConstructor } | undefined;

function load() {
  if (loaded) return loaded;
  const dir = path.join(packageRoot(), 'protos');
  const def = loadSync([path.join(dir, 'echo.proto'), path.join(dir, 'control.proto')], { longs: String, enums: String, defaults: true });
  const pkg = loadPackageDefinition(def);
  const echo = ((pkg.grpc as GrpcObject).examples as GrpcObject).echo as GrpcObject;
  const control = ((pkg.lab as GrpcObject).control as GrpcObject).v1 as GrpcObject;
  return (loaded = { Echo: echo.Echo as ServiceClientConstructor, Control: control.Control as ServiceClientConstructor });
}

type Unary<Req, Res> = (req: Req, opts: { deadline?: number } | ((err: Error | null, res: Res) => void), cb?: (err: Error | null, res: Res) => void) => unknown;

export interface Stats {
  id: string;
  hostAddress: string;
  clusterAddress: string;
  calls: string;
  injectedFailures: string;
  serving: boolean;
  etcdKey: string;
  etcdLease: string;
  consulRegistered: boolean;
  weight: number;
}

export type EchoClient = Client & { UnaryEcho: Unary<{ message: string }, { message: string }> } & Record<string, (...args: never[]) => unknown>;
export type ControlClient = Client & {
  SetFault: Unary<{ fault: Record<string, number> }, Stats>;
  SetHealth: Unary<{ serving: boolean }, Stats>;
  SetConsulRegistration: Unary<{ registered: boolean }, Stats>;
  SetWeight: Unary<{ weight: number }, Stats>;
  GetStats: Unary<Record<string, never>, Stats>;
  ResetStats: Unary<Record<string, never>, Stats>;
  Drain: Unary<{ graceMs: number }, Stats>;
};

export function echoClient(target: string, options: ChannelOptions = {}): EchoClient {
  return new (load().Echo)(target, credentials.createInsecure(), options) as unknown as EchoClient;
}

export function controlClient(target: string): ControlClient {
  return new (load().Control)(target, credentials.createInsecure()) as unknown as ControlClient;
}

/** Promise form of a unary call, with a deadline. */
export function call<Req, Res>(client: Client, method: string, req: Req, timeoutMs = 2000): Promise<Res> {
  const fn = (client as unknown as Record<string, Unary<Req, Res>>)[method].bind(client);
  return new Promise((resolve, reject) => fn(req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res))));
}
