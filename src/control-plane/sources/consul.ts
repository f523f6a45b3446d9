// Endpoints from Consul's health-checked catalog: a blocking query on /v1/health/service/<name>
// (every instance, passing or not), so a failing check reaches xDS clients within one check
// interval. Address:Port is the host address; Meta.cluster the cluster address.
import { Backoff } from '../../util/backoff.js';
import type { EndpointSource, RegistryEndpoint } from './source.js';
import type { ConsulMetaRecord } from '../../wire/index.js';
import { deadline } from '../../util/deadline.js';

interface HealthEntry {
  Service: { ID: string; Address: string; Port: number; Meta?: ConsulMetaRecord; Weights?: { Passing?: number } };
  Checks: Array<{ ServiceID: string; Status: string }>;
}

export class ConsulSource implements EndpointSource {
  readonly kind = 'consul' as const;
  ok = false;
  error = 'not read yet';
  private index = '0';
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 2000 });

  constructor(
    private readonly agent: string,
    private readonly service: string,
  ) {}

  start(onChange: (endpoints: RegistryEndpoint[]) => void): void {
    setImmediate(() => void this.loop(onChange));
  }

  private async loop(onChange: (endpoints: RegistryEndpoint[]) => void): Promise<void> {
    while (!this.stopped) {
      try {
        const url = `http://${this.agent}/v1/health/service/${encodeURIComponent(this.service)}?index=${this.index}&wait=10s`;
        const poll = deadline(15_000, this.abort.signal);
        const { res, entries } = await fetch(url, { signal: poll.signal })
          .then(async (r) => {
            if (!r.ok) throw new Error(`HTTP ${r.status}`);
            return { res: r, entries: (await r.json()) as HealthEntry[] };
          })
          .finally(() => poll.clear());
        const next = res.headers.get('X-Consul-Index') ?? '0';
        // Consul's rule: an index that goes backwards means start over.
        this.index = BigInt(next) < BigInt(this.index) ? '0' : next;
        this.ok = true;
        this.error = '';
        this.backoff.reset();
        onChange(entries.map(toEndpoint));
      } catch (err) {
        if (this.stopped) return;
        this.ok = false;
        this.error = `consul at ${this.agent}: ${(err as Error).message}`;
        // The last list stays served: an xDS client keeps what it has when its control plane's source is gone.
        await this.backoff.start().done;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.backoff.stop();
  }
}

function toEndpoint(e: HealthEntry): RegistryEndpoint {
  const s = e.Service;
  const mine = e.Checks.filter((c) => c.ServiceID === s.ID || c.ServiceID === '');
  return {
    id: s.ID,
    hostAddress: `${s.Address}:${s.Port}`,
    clusterAddress: s.Meta?.cluster ?? `${s.Address}:${s.Port}`,
    zone: s.Meta?.zone ?? '',
    weight: Number(s.Meta?.weight ?? s.Weights?.Passing ?? 1) || 1,
    healthy: mine.every((c) => c.Status === 'passing'),
  };
}
