// What a resolver knows about each endpoint beyond its address (weight, zone, identity), handed to
// balancers through the resolution's attributes, which grpc-js merges into their channel options.
import type { ChannelOptions } from '@grpc/grpc-js';

export const ENDPOINT_ATTRIBUTES = 'lab.endpoint_attributes';

export interface EndpointAttributes {
  id: string;
  weight: number;
  zone: string;
  metadata: Record<string, string>;
}

export type AttributeMap = Map<string, EndpointAttributes>;

/** The attributes of the endpoint whose first address is `address` ("host:port"), if known. */
export function attributesOf(options: ChannelOptions | Record<string, unknown>, address: string): EndpointAttributes | undefined {
  const map = (options as Record<string, unknown>)[ENDPOINT_ATTRIBUTES];
  return map instanceof Map ? (map as AttributeMap).get(address) : undefined;
}

/**
 * An endpoint's weight: from the resolver's attributes; for an xDS endpoint, its EDS weight (grpc-js-xds
 * hands the endpoint over with `endpointWeight` = locality weight × endpoint weight, so the ratios
 * within a locality are the endpoints'); else 1.
 */
export function weightOf(options: ChannelOptions | Record<string, unknown>, address: string, endpoint?: object): number {
  const w = attributesOf(options, address)?.weight ?? (endpoint as { endpointWeight?: unknown } | undefined)?.endpointWeight;
  return typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : 1;
}
