// What the traffic engine reports. The scenario player, the TUI and reports consume these; the
// engine knows no screen.

/** Calls, errors by status code and latency of one backend (or of a whole client) in one bucket. */
export interface BucketStats {
  calls: number;
  ok: number;
  /** Errors by gRPC status name (UNAVAILABLE, DEADLINE_EXCEEDED, ...). */
  errors: Record<string, number>;
  /** Attempts beyond the first (retries and hedges), when known. */
  extraAttempts: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type TrafficEvent =
  | {
      type: 'bucket';
      client: string;
      /** Milliseconds since the client started, at the end of the bucket. */
      t: number;
      widthMs: number;
      total: BucketStats;
      /** By backend: its identity (x-lab-backend) when the server says it, else its address. */
      backends: Record<string, BucketStats>;
    }
  | { type: 'resolution'; client: string; t: number; addresses: string[]; note: string }
  | { type: 'resolver-error'; client: string; t: number; message: string }
  | { type: 'subchannel'; client: string; t: number; address: string; state: string; previous: string }
  | {
      type: 'client-started';
      client: string;
      t: number;
      target: string;
      serviceConfig: unknown;
      /** A client the lab does not drive, seen from the servers' side (its target is its command line). */
      observed?: boolean;
      /** The lab's router as a client: its calls as the router counted them, and its balancer as the router names it. */
      router?: { balancer: string };
    }
  | { type: 'client-stopped'; client: string; t: number };

export type TrafficListener = (e: TrafficEvent) => void;

type WithoutStamp<T> = T extends unknown ? Omit<T, 'client' | 't'> : never;
/** An event before the client stamps its name and time on it. */
export type TrafficEventBody = WithoutStamp<TrafficEvent>;
