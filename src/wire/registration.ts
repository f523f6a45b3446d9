// What an echo server writes into the registries and every reader reads back: one declaration for
// the writer (src/echo), the lab's resolvers (src/traffic), the control plane's sources
// (src/control-plane), the sandbox's status and the view. Types and constants only: the echo server
// and the control plane are bundled alone and may take this.

/** The JSON value an echo server keeps under <etcd-prefix>/<service>/<id>, on its lease. */
export interface EtcdRegistration {
  id: string;
  service: string;
  /** The address clients on the host dial (a published loopback address). */
  host: string;
  /** The address inside the sandbox's network (the container's own). */
  cluster: string;
  weight: number;
  zone: string;
  metadata: Record<string, string>;
}

/** What a reader may find under a key: whatever wrote it, any field may be missing. */
export type EtcdRecord = Partial<EtcdRegistration>;

/** Parses an etcd value as a registration; undefined when it is not a JSON object. */
export function parseEtcdRecord(value: string): EtcdRecord | undefined {
  try {
    const v: unknown = JSON.parse(value);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as EtcdRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The keys of Consul's service Meta an echo server writes (its own metadata beside them). Consul
 * keeps Meta as strings: weight is a decimal number.
 */
export interface ConsulMeta {
  cluster: string;
  ip: string;
  weight: string;
  zone: string;
}

/** What a reader may find in a service's Meta. */
export type ConsulMetaRecord = Partial<ConsulMeta> & Record<string, string>;
