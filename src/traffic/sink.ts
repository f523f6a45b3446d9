// Resolvers and the observing balancer live inside grpc-js and only see channel options; they find
// the traffic client they report to through this registry, keyed by the `lab.client_id` option.
import type { TrafficEventBody } from './events.js';

export const CLIENT_ID_OPTION = 'lab.client_id';

export type SinkEvent = Extract<TrafficEventBody, { type: 'resolution' | 'resolver-error' | 'subchannel' }>;

export interface ClientSink {
  report(e: SinkEvent): void;
  /** A pick's outcome for one attempt of the call tagged `callId`. */
  picked(callId: string, address: string): void;
}

const sinks = new Map<string, ClientSink>();

export function registerSink(clientId: string, sink: ClientSink): () => void {
  sinks.set(clientId, sink);
  return () => {
    if (sinks.get(clientId) === sink) sinks.delete(clientId);
  };
}

export function sinkFor(options: Record<string, unknown>): ClientSink | undefined {
  const id = options[CLIENT_ID_OPTION];
  return typeof id === 'string' ? sinks.get(id) : undefined;
}

/** How many clients have a sink registered (tests: a client that failed to start left none). */
export const sinkCount = (): number => sinks.size;
