// The lab's protos (protos/echo.proto, control.proto, xds-control.proto), loaded once, typed by the types
// proto-loader generates (src/grpc/generated, `npm run gen:protos`).
import path from 'node:path';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { packageRoot } from '../util/paths.js';
import type { ProtoGrpcType as ControlProto } from './generated/control.js';
import type { ProtoGrpcType as EchoProto } from './generated/echo.js';
import type { ProtoGrpcType as XdsControlProto } from './generated/xds-control.js';
import type { ProtoGrpcType as TestingProto } from './generated/test.js';

type LabProtos = EchoProto & ControlProto & XdsControlProto;

let loaded: LabProtos | undefined;
let testing: TestingProto | undefined;

// A bundle in an image (the swarm's agent) says where its copy is.
const protoDir = () => process.env.LAB_PROTO_DIR ?? path.join(packageRoot(), 'protos');

/** grpc's interop test protos (protos/grpc/testing), their field names as written (response_size), as grpc's test clients load them. */
export function testingProtos(): TestingProto {
  if (testing) return testing;
  const dir = protoDir();
  const def = loadSync(path.join(dir, 'grpc/testing/test.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [dir],
  });
  return (testing = loadPackageDefinition(def) as unknown as TestingProto);
}

export function labProtos(): LabProtos {
  if (loaded) return loaded;
  const dir = protoDir();
  const def = loadSync([path.join(dir, 'echo.proto'), path.join(dir, 'control.proto'), path.join(dir, 'xds-control.proto')], {
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  // The one cast: loadPackageDefinition is untyped; the generated ProtoGrpcType describes it.
  return (loaded = loadPackageDefinition(def) as unknown as LabProtos);
}
