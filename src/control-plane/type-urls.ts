// The type URLs of the resources and extensions the control plane sends (Envoy's v3 API).
const T = (name: string) => `type.googleapis.com/${name}`;

export const LDS = T('envoy.config.listener.v3.Listener');
export const RDS = T('envoy.config.route.v3.RouteConfiguration');
export const CDS = T('envoy.config.cluster.v3.Cluster');
export const EDS = T('envoy.config.endpoint.v3.ClusterLoadAssignment');
export const RESOURCE_TYPES = { LDS, RDS, CDS, EDS } as const;
export type ResourceType = keyof typeof RESOURCE_TYPES;
export const TYPE_OF_URL: Record<string, ResourceType> = { [LDS]: 'LDS', [RDS]: 'RDS', [CDS]: 'CDS', [EDS]: 'EDS' };

export const HCM = T('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
export const ROUTER = T('envoy.extensions.filters.http.router.v3.Router');
export const FAULT = T('envoy.extensions.filters.http.fault.v3.HTTPFault');
export const WRR_LOCALITY = T('envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality');
export const ROUND_ROBIN = T('envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin');
export const CLIENT_SIDE_WRR = T('envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin');
export const TYPED_STRUCT = T('xds.type.v3.TypedStruct');
