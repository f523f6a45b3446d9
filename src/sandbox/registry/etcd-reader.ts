// Host-side reads of etcd, for readiness waits, `lab status`, the view and kill-leader: through
// etcd3 (the lab's one etcd client), each call with a short deadline.
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { InstanceSpec } from '../../topology/index.js';

export interface EtcdEntry {
  key: string;
  value: string;
  /** The lease id in hex ('' when the key has none). */
  lease: string;
  /** Seconds left on the lease; undefined when the key has no lease. */
  ttl?: number;
}

/** One etcd3 client on a list of members ("a:2379,b:2379"); close() it when done. */
export class EtcdReader {
  private readonly etcd: Etcd3;

  constructor(
    hosts: string,
    private readonly timeoutMs = 1000,
  ) {
    this.etcd = new Etcd3({
      hosts: hosts.split(',').map((h) => `http://${h}`),
      dialTimeout: timeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
      // A probe that fails is asked again by its caller: etcd3's retries and its circuit breaker (open
      // for 5 s after 3 failures, as etcd starts) would only delay the answer.
      faultHandling: { host: () => noop, global: noop },
    });
  }

  /** Every key under `prefix`, with its lease's remaining TTL (one more call per key; `ttl: false` skips them). */
  async entries(prefix: string, opts: { ttl?: boolean } = {}): Promise<EtcdEntry[]> {
    const res = await this.etcd.getAll().prefix(prefix).exec();
    return Promise.all(
      res.kvs.map(async (kv) => {
        const lease = kv.lease ?? '0';
        let ttl: number | undefined;
        if (lease !== '0' && opts.ttl !== false) {
          const t = await this.etcd.leaseClient.leaseTimeToLive({ ID: lease }).catch(() => undefined);
          ttl = t?.TTL === undefined ? undefined : Number(t.TTL);
        }
        return { key: kv.key.toString(), value: kv.value.toString(), lease: lease === '0' ? '' : BigInt(lease).toString(16), ttl };
      }),
    );
  }

  /** This member's id and the leader it follows (ask one member: construct the reader on it alone). */
  async memberStatus(): Promise<{ id: string; leader: string }> {
    const st = await this.etcd.maintenance.status();
    return { id: st.header.member_id, leader: st.leader };
  }

  close(): void {
    this.etcd.close();
  }
}

/** The member that leads, by asking each one which member it is and whom it follows. */
export async function findEtcdLeader(members: InstanceSpec[], reach: (address: string) => string = (a) => a): Promise<InstanceSpec> {
  const seen = await Promise.all(
    members.map(async (m) => {
      const reader = new EtcdReader(reach(m.hostAddress), 1500);
      try {
        const st = await reader.memberStatus();
        return { m, ...st };
      } catch {
        return { m, id: undefined, leader: undefined };
      } finally {
        reader.close();
      }
    }),
  );
  const leaderId = seen.find((s) => s.leader && s.leader !== '0')?.leader;
  const leader = seen.find((s) => s.id && s.id === leaderId);
  if (!leader)
    throw new Error(`no etcd member reports a leader (${seen.map((s) => `${s.m.name}: ${s.id ? `follows ${s.leader}` : 'unreachable'}`).join(', ')})`);
  return leader.m;
}
