// The lab's protos (protos/echo.proto, control.proto, xds-control.proto), loaded once, typed by the types
// proto-loader generates (src/grpc/generated, `npm run gen:protos`).
import path from 'node:path';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { packageRoot } from '../util/paths.js';
import type { ProtoGrpcType as ControlProto } from './generated/control.js';
import type { ProtoGrpcType as EchoProto } from './generated/echo.js';
import type { ProtoGrpcType as XdsControlProto } from './generated/xds-control.js';

type LabProtos = EchoProto & ControlProto & XdsControlProto;

let loaded: LabProtos | undefined;

export function labProtos(): LabProtos {
  if (loaded) return loaded;
  // A bundle in an image (the swarm's agent) says where its copy is.
  const dir = process.env.LAB_PROTO_DIR ?? path.join(packageRoot(), 'protos');
  const def = loadSync([path.join(dir, 'echo.proto'), path.join(dir, 'control.proto'), path.join(dir, 'xds-control.proto')], {
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  // The one cast: loadPackageDefinition is untyped; the generated ProtoGrpcType describes it.
  return (loaded = loadPackageDefinition(def) as unknown as LabProtos);
}
