// What the control plane must not forget when it restarts, kept in the sandbox's etcd (a real
// control plane rebuilds from its configuration source the same way): the policy the lab pushed,
// the version counter of each resource type (versions go on from where they were, never back to 1),
// and the load reports received (totals per client, cluster and zone). Read once at start, written
// on every push and, for load reports, at most once a second. etcd down: the control plane serves
// with what it has and says so in its log; nothing waits on it for long.
import type { Etcd3 } from 'etcd3';
import { openEtcd } from '../util/etcd-client.js';
import type { LoadTotals } from './lrs.js';
import type { XdsPolicy } from '../wire/index.js';
import type { ResourceType } from './type-urls.js';

export interface KeptState {
  policy?: XdsPolicy;
  counters?: Record<ResourceType, number>;
  loads?: LoadTotals[];
}

/** How long a read or write may take before the control plane goes on without it. */
const ASK_MS = 2000;

const bounded = <T>(p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`etcd did not answer within ${ASK_MS} ms`)), ASK_MS).unref())]);

export class StateStore {
  private readonly client: Etcd3;
  private pending: KeptState = {};
  private timer?: NodeJS.Timeout;

  constructor(
    endpoints: string[],
    /** One key per service: /lab/xds/echo. */
    private readonly key: string,
    private readonly log: (msg: string) => void,
  ) {
    this.client = openEtcd(endpoints);
  }

  /** What was kept, or nothing (the first start, or etcd not answering). */
  async load(): Promise<KeptState> {
    try {
      const text = await bounded(this.client.get(this.key).string());
      return text ? (JSON.parse(text) as KeptState) : {};
    } catch (err) {
      this.log(`state: could not read ${this.key} (${(err as Error).message}); starting from the default policy`);
      return {};
    }
  }

  /** Keeps this part of the state (merged with the rest), written within a second. */
  save(part: KeptState): void {
    this.pending = { ...this.pending, ...part };
    this.timer ??= setTimeout(() => void this.flush(), 1000);
  }

  /** Writes what is pending now (a push waits for it: a restart right after must find it). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const part = this.pending;
    this.pending = {};
    if (!Object.keys(part).length) return;
    try {
      const kept = await this.load();
      await bounded(
        this.client
          .put(this.key)
          .value(JSON.stringify({ ...kept, ...part }))
          .exec(),
      );
    } catch (err) {
      this.log(`state: could not write ${this.key} (${(err as Error).message})`);
      this.pending = { ...part, ...this.pending };
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.client.close();
  }
}
