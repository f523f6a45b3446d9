// The protos the control plane speaks, loaded once: Envoy's v3 API as @grpc/grpc-js-xds ships it
// (ADS, LRS, the resources and the extensions it sends inside Anys), and the lab's XdsControl.
// Envoy's are loaded with keepCase and json, so resources are written with Envoy's field names and
// '@type' for Anys, as @grpc/grpc-js-xds's own generated types describe them.
import path from 'node:path';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType as AdsProto } from '@grpc/grpc-js-xds/build/src/generated/ads.js';
import type { ProtoGrpcType as LrsProto } from '@grpc/grpc-js-xds/build/src/generated/lrs.js';
import type { ProtoGrpcType as ControlProto } from '../grpc/generated/xds-control.js';

const ENVOY = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/load_stats/v3/lrs.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto',
  'xds/type/v3/typed_struct.proto',
];

/** `depsDir`: @grpc/grpc-js-xds's deps folder (envoy-api, xds, googleapis, protoc-gen-validate); `labDir`: the lab's protos. */
export function loadXdsProtos(depsDir: string, labDir: string): { envoy: AdsProto & LrsProto; control: ControlProto } {
  const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(depsDir, d));
  const envoy = loadSync(ENVOY, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, json: true, includeDirs });
  const control = loadSync(path.join(labDir, 'xds-control.proto'), { longs: String, enums: String, defaults: true, oneofs: true });
  // The casts: loadPackageDefinition is untyped; the generated ProtoGrpcTypes describe it.
  return { envoy: loadPackageDefinition(envoy) as unknown as AdsProto & LrsProto, control: loadPackageDefinition(control) as unknown as ControlProto };
}
