// Where the control plane's endpoints come from, as Istio's come from Kubernetes: the sandbox's
// registry. A source watches it and says what it holds now; the control plane turns that into EDS.

export interface RegistryEndpoint {
  /** The instance (echo-2). */
  id: string;
  /** The address host clients dial (127.77.1.2:50051) and the one in-network clients dial (echo-2:50051). */
  hostAddress: string;
  clusterAddress: string;
  zone: string;
  weight: number;
  /** Whether the registry holds it as healthy (Consul: every check passing; etcd: its key is there). */
  healthy: boolean;
}

export interface EndpointSource {
  readonly kind: 'consul' | 'etcd';
  /** Starts watching; `onChange` gets every new list (never called synchronously). */
  start(onChange: (endpoints: RegistryEndpoint[]) => void): void;
  /** Whether the last read worked, and why not. */
  readonly ok: boolean;
  readonly error: string;
  stop(): void;
}
