// What a traffic client carries across a process boundary (a swarm agent's lines, src/wire's
// agent protocol): its spec and options going in, its events and summary coming out.
import type { ChannelOptions } from '@grpc/grpc-js';
import type { ServiceConfigJson } from './driver/service-config.js';
import type { ClientSummary, TrafficClientSpec } from './driver/traffic-client.js';
import type { TrafficEvent } from './events.js';

export interface TrafficOnTheWire {
  client: TrafficClientSpec;
  channelOptions: ChannelOptions;
  serviceConfig: ServiceConfigJson;
  event: TrafficEvent;
  summary: ClientSummary;
}
