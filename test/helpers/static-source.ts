// A registry for the xDS control plane's unit tests: a list the test sets by hand (the integration
// tests use the real Consul and etcd).
import type { EndpointSource, RegistryEndpoint } from '../../src/control-plane/sources/source.js';

export class StaticSource implements EndpointSource {
  readonly kind = 'consul' as const;
  ok = true;
  error = '';
  private onChange?: (e: RegistryEndpoint[]) => void;
  constructor(private endpoints: RegistryEndpoint[]) {}
  start(onChange: (e: RegistryEndpoint[]) => void): void {
    this.onChange = onChange;
    setImmediate(() => onChange(this.endpoints));
  }
  set(endpoints: RegistryEndpoint[]): void {
    this.endpoints = endpoints;
    this.onChange?.(endpoints);
  }
  stop(): void {}
}
