// The control plane's state: the policy the lab pushed and the endpoints the registry holds. Each
// change rebuilds the resources (for both views of the addresses), bumps the version of every
// resource type that changed, and lets ADS push them.
import type { Snapshot } from './ads.js';
import { DEFAULT_POLICY, type XdsPolicy } from './policy.js';
import { buildResources, type AddressView, type ResourceSet } from './resources.js';
import type { RegistryEndpoint } from './sources/source.js';
import type { ResourceType } from './type-urls.js';

const TYPES: ResourceType[] = ['LDS', 'RDS', 'CDS', 'EDS'];
const VIEWS: AddressView[] = ['host', 'cluster'];

export class ControlPlane {
  policy: XdsPolicy = DEFAULT_POLICY;
  endpoints: RegistryEndpoint[] = [];
  private current: Snapshot;
  private readonly counters: Record<ResourceType, number> = { LDS: 1, RDS: 1, CDS: 1, EDS: 1 };
  private readonly listeners: Array<() => void> = [];

  constructor(readonly service: string) {
    this.current = { versions: { LDS: '1', RDS: '1', CDS: '1', EDS: '1' }, resources: this.build(this.policy, this.endpoints) };
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
