// The gRFCs (grpc/proposal) the lab's library shows, with what each is about and where the lab's
// runs of it come from: grpc-js itself, @grpc/grpc-js-xds, or the lab's own code where grpc-js has
// none (A17). A scenario names the ones it shows (`grfc: [A9, A62]`); the README's map is generated
// from the library's files. Pure data.
import type { Origin } from '../traffic/index.js';

export interface Grfc {
  title: string;
  /** Whose code the lab's scenarios run when they show it. */
  origin: Origin;
  /** A fixed timing the lesson meets in grpc-js (named in the scenario's header too). */
  floor?: string;
}

export const GRFCS: Record<string, Grfc> = {
  A6: { title: 'Client retries (retry and hedging policies)', origin: 'grpc-js', floor: 'at most 5 attempts per call, whatever maxAttempts says' },
  A8: { title: 'Client-side keepalive', origin: 'grpc-js' },
  A9: { title: 'Server-side connection management (max_connection_age, GOAWAY)', origin: 'grpc-js' },
  A17: { title: 'Client-side health checking', origin: 'lab' },
  A24: { title: 'Load balancing policy configuration (loadBalancingConfig)', origin: 'grpc-js' },
  A27: { title: 'xDS-based global load balancing', origin: 'grpc-js-xds', floor: 'a resource the control plane never sends counts as absent after 15 s' },
  A28: { title: 'xDS traffic splitting and routing', origin: 'grpc-js-xds' },
  A31: { title: 'xDS timeout support and config selector (max_stream_duration)', origin: 'grpc-js-xds' },
  A32: { title: 'xDS circuit breaking (max_requests)', origin: 'grpc-js-xds' },
  A33: { title: 'xDS client-side fault injection', origin: 'grpc-js-xds' },
  A42: { title: 'xDS ring hash LB policy', origin: 'grpc-js-xds' },
  A44: { title: 'xDS retry support', origin: 'grpc-js-xds' },
  A46: { title: 'xDS NACK semantics improvement', origin: 'grpc-js-xds' },
  A50: { title: 'xDS outlier detection support', origin: 'grpc-js' },
  A51: { title: 'Custom backend metrics support (ORCA)', origin: 'grpc-js' },
  A56: { title: 'Priority LB policy', origin: 'grpc-js-xds', floor: 'a priority that does not connect is failed over after 10 s' },
  A57: { title: 'XdsClient failure mode behavior', origin: 'grpc-js-xds' },
  A58: { title: 'weighted_round_robin LB policy', origin: 'grpc-js', floor: "grpc-js's blackout period: 10 s by default" },
  A62: {
    title: 'pick_first: sticky TRANSIENT_FAILURE and address order randomization',
    origin: 'grpc-js',
    floor: 'reconnects back off from 1 s, 1.6 times longer each; the next address is tried 250 ms after the one before (Happy Eyeballs)',
  },
};

/** The gRFC's number, for ordering: A9 before A17. */
export const grfcNumber = (id: string) => Number(id.slice(1));
