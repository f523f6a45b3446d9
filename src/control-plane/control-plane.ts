// The control plane's state: the policy the lab pushed and the endpoints the registry holds. Each
// change rebuilds the resources (for both views of the addresses), bumps the version of every
// resource type that changed, and lets ADS push them. A restarted control plane starts from the
// policy and version counters it kept (state-store.ts): versions go on, they never start over.
import type { Snapshot } from './ads.js';
import { DEFAULT_POLICY, type XdsPolicy } from '../wire/index.js';
import { buildResources, type AddressView, type ResourceSet } from './resources.js';
import type { RegistryEndpoint } from './sources/source.js';
import type { ResourceType } from './type-urls.js';

const TYPES: ResourceType[] = ['LDS', 'RDS', 'CDS', 'EDS'];
const VIEWS: AddressView[] = ['host', 'cluster'];

/** How far above its kept counters a restarted control plane begins (more than it bumps in the second before a save). */
export const RESTART_GAP = 1000;

export class ControlPlane {
  policy: XdsPolicy = DEFAULT_POLICY;
  endpoints: RegistryEndpoint[] = [];
  private current: Snapshot;
  readonly counters: Record<ResourceType, number> = { LDS: 1, RDS: 1, CDS: 1, EDS: 1 };
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly service: string,
    kept: { policy?: XdsPolicy; counters?: Record<ResourceType, number> } = {},
  ) {
    if (kept.policy) this.policy = kept.policy;
    // Counters are kept within a second of a change, so a kill can lose the last few: a restart
    // goes on RESTART_GAP above what was kept, and never sends a version it may have sent before.
    for (const t of TYPES) if (Number.isInteger(kept.counters?.[t])) this.counters[t] = kept.counters![t] + RESTART_GAP;
    const versions = Object.fromEntries(TYPES.map((t) => [t, String(this.counters[t])])) as Record<ResourceType, string>;
    this.current = { versions, resources: this.build(this.policy, this.endpoints) };
  }

  private build(policy: XdsPolicy, endpoints: RegistryEndpoint[]): Record<AddressView, ResourceSet> {
    return { host: buildResources(this.service, policy, endpoints, 'host'), cluster: buildResources(this.service, policy, endpoints, 'cluster') };
  }

  snapshot = (): Snapshot => this.current;

  /** Called after every change (ADS pushes then). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Replaces the policy; throws (and keeps the old one) when resources cannot be built from it. */
  setPolicy(policy: XdsPolicy): void {
    this.update(policy, this.endpoints);
  }

  setEndpoints(endpoints: RegistryEndpoint[]): void {
    this.update(
      this.policy,
      [...endpoints].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true })),
    );
  }

  private update(policy: XdsPolicy, endpoints: RegistryEndpoint[]): void {
    const resources = this.build(policy, endpoints);
    const versions = { ...this.current.versions };
    const text = (r: Record<AddressView, ResourceSet>, t: ResourceType) => JSON.stringify(VIEWS.map((v) => [...r[v][t].entries()]));
    for (const t of TYPES) if (text(resources, t) !== text(this.current.resources, t)) versions[t] = String(++this.counters[t]);
    this.policy = policy;
    this.endpoints = endpoints;
    this.current = { versions, resources };
    for (const fn of this.listeners) fn();
  }
}
