// ADS, state of the world: one stream per client carrying all four resource types. For each type
// the server remembers what it sent (version, nonce) and what the client answered: a request
// carrying the nonce of the last response ACKs its version, or NACKs it with error_detail (the
// client keeps its last good resources). A push sends each subscribed type whose version moved on.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { DiscoveryRequest__Output } from '@grpc/grpc-js-xds/build/src/generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import type { DiscoveryResponse } from '@grpc/grpc-js-xds/build/src/generated/envoy/service/discovery/v3/DiscoveryResponse.js';
import type { AddressView, ResourceSet } from './resources.js';
import { fromStruct } from './struct.js';
import { RESOURCE_TYPES, TYPE_OF_URL, type ResourceType } from './type-urls.js';

/** What the server serves now: a version per type, and the resources for each view of the addresses. */
export interface Snapshot {
  versions: Record<ResourceType, string>;
  resources: Record<AddressView, ResourceSet>;
}

export interface TypeState {
  names: Set<string>;
  sentVersion: string;
  sentNonce: string;
  sentAtMs: number;
  ackedVersion: string;
  ackedAtMs: number;
  nackedVersion: string;
  nackError: string;
  nackedAtMs: number;
}

export interface AdsClient {
  nodeId: string;
  peer: string;
  view: AddressView;
  connected: boolean;
  connectedAtMs: number;
  types: Map<ResourceType, TypeState>;
}

type AdsCall = ServerDuplexStream<DiscoveryRequest__Output, DiscoveryResponse>;

/** How many gone clients the status keeps (the newest), so an outage's reconnects stay readable. */
const KEEP_GONE = 32;

export class AdsServer {
  readonly clients: AdsClient[] = [];
  private readonly calls = new Map<AdsClient, AdsCall>();
  private nonce = 0;

  constructor(
    private readonly snapshot: () => Snapshot,
    private readonly now: () => number,
    private readonly log: (msg: string) => void,
    /** A client's stream ended (its node id). */
    private readonly onGone: (nodeId: string) => void = () => undefined,
  ) {}

  /** The StreamAggregatedResources handler. */
  readonly stream = (call: AdsCall): void => {
    const client: AdsClient = { nodeId: '', peer: call.getPeer(), view: 'host', connected: true, connectedAtMs: this.now(), types: new Map() };
    this.clients.push(client);
    this.calls.set(client, call);
    const gone = () => {
      if (!client.connected) return;
      client.connected = false;
      this.calls.delete(client);
      this.log(`ADS ${client.nodeId || client.peer} gone`);
      if (client.nodeId && !this.clients.some((c) => c !== client && c.connected && c.nodeId === client.nodeId)) this.onGone(client.nodeId);
      const goneOnes = this.clients.filter((c) => !c.connected);
      for (const old of goneOnes.slice(0, Math.max(0, goneOnes.length - KEEP_GONE))) this.clients.splice(this.clients.indexOf(old), 1);
    };
    call.on('data', (req: DiscoveryRequest__Output) => this.request(client, call, req));
    call.on('end', () => {
      gone();
      call.end();
    });
    call.on('error', gone);
    call.on('cancelled', gone);
  };

  private request(client: AdsClient, call: AdsCall, req: DiscoveryRequest__Output): void {
    if (req.node) {
      client.nodeId = req.node.id;
      const meta = fromStruct(req.node.metadata);
      client.view = meta.LAB_ADDRESSES === 'cluster' ? 'cluster' : 'host';
    }
    const type = TYPE_OF_URL[req.type_url];
    if (!type) return this.log(`ADS ${client.nodeId}: unknown type ${req.type_url}`);
    let st = client.types.get(type);
    if (!st) {
      st = { names: new Set(), sentVersion: '', sentNonce: '', sentAtMs: 0, ackedVersion: '', ackedAtMs: 0, nackedVersion: '', nackError: '', nackedAtMs: 0 };
      client.types.set(type, st);
    }
    if (req.response_nonce) {
      // An answer to an older response than the last one sent is stale: its ACK or NACK says nothing now.
      if (req.response_nonce !== st.sentNonce) return;
      if (req.error_detail) {
        st.nackedVersion = st.sentVersion;
        st.nackError = req.error_detail.message;
        st.nackedAtMs = this.now();
        this.log(`ADS ${client.nodeId}: NACK ${type} v${st.sentVersion}: ${req.error_detail.message}`);
      } else {
        st.ackedVersion = req.version_info;
        st.ackedAtMs = this.now();
      }
    }
    const names = new Set(req.resource_names);
    const changed = names.size !== st.names.size || [...names].some((n) => !st.names.has(n));
    st.names = names;
    // A first request, or one that asks for other names, gets the current resources of its type.
    // One that asks for nothing more gets nothing: a grpc-js-xds client ends its stream when it wants
    // nothing, and never reads what comes after, which would keep its stream (and process) alive.
    if ((!req.response_nonce || changed) && names.size > 0) this.send(client, call, type, st);
  }

  private send(client: AdsClient, call: AdsCall, type: ResourceType, st: TypeState): void {
    const snap = this.snapshot();
    const all = snap.resources[client.view][type] as Map<string, object>;
    const resources = [...st.names].flatMap((n) => (all.has(n) ? [all.get(n)!] : []));
    st.sentVersion = snap.versions[type];
    st.sentNonce = String(++this.nonce);
    st.sentAtMs = this.now();
    call.write({ version_info: st.sentVersion, resources: resources as never, type_url: RESOURCE_TYPES[type], nonce: st.sentNonce });
  }

  /** Sends every subscribed type whose version moved on to every connected client. */
  push(): void {
    const snap = this.snapshot();
    for (const [client, call] of this.calls) {
      for (const [type, st] of client.types) if (st.names.size && st.sentVersion !== snap.versions[type]) this.send(client, call, type, st);
    }
  }

  /** Ends every stream (the clients keep their last resources and reconnect). */
  close(): void {
    for (const call of this.calls.values()) call.end();
    this.calls.clear();
  }
}
