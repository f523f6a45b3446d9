// LRS: clients report, per cluster and locality, the calls they issued and how they ended. The
// server asks every client for all clusters once a second and keeps the sums per client, cluster
// and zone, for the lab to set beside the clients' own counts.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { LoadStatsRequest__Output } from '@grpc/grpc-js-xds/build/src/generated/envoy/service/load_stats/v3/LoadStatsRequest.js';
import type { LoadStatsResponse } from '@grpc/grpc-js-xds/build/src/generated/envoy/service/load_stats/v3/LoadStatsResponse.js';

export interface LoadTotals {
  nodeId: string;
  cluster: string;
  zone: string;
  successful: number;
  errors: number;
  issued: number;
  inProgress: number;
  reports: number;
}

export class LrsServer {
  private readonly totals = new Map<string, LoadTotals>();
  private readonly calls = new Map<string, Set<ServerDuplexStream<LoadStatsRequest__Output, LoadStatsResponse>>>();

  constructor(
    private readonly intervalMs = 1000,
    /** Totals kept from before a restart. */
    kept: LoadTotals[] = [],
    /** Called after every report (the totals are kept then). */
    private readonly onReport: () => void = () => undefined,
  ) {
    for (const t of kept) this.totals.set(`${t.nodeId}|${t.cluster}|${t.zone}`, { ...t });
  }

  readonly stream = (call: ServerDuplexStream<LoadStatsRequest__Output, LoadStatsResponse>): void => {
    let nodeId = '';
    const response: LoadStatsResponse = {
      send_all_clusters: true,
      load_reporting_interval: { seconds: String(Math.floor(this.intervalMs / 1000)), nanos: (this.intervalMs % 1000) * 1e6 },
    };
    const forget = () => this.calls.get(nodeId)?.delete(call);
    call.on('data', (req: LoadStatsRequest__Output) => {
      if (req.node) {
        nodeId = req.node.id;
        if (!this.calls.has(nodeId)) this.calls.set(nodeId, new Set());
        this.calls.get(nodeId)!.add(call);
        call.write(response);
      }
      for (const cs of req.cluster_stats) {
        for (const ls of cs.upstream_locality_stats) {
          const zone = ls.locality?.zone ?? '';
          const key = `${nodeId}|${cs.cluster_name}|${zone}`;
          const t = this.totals.get(key) ?? { nodeId, cluster: cs.cluster_name, zone, successful: 0, errors: 0, issued: 0, inProgress: 0, reports: 0 };
          t.successful += Number(ls.total_successful_requests);
          t.errors += Number(ls.total_error_requests);
          t.issued += Number(ls.total_issued_requests);
          t.inProgress = Number(ls.total_requests_in_progress);
          t.reports++;
          this.totals.set(key, t);
        }
      }
      if (req.cluster_stats.length) this.onReport();
    });
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
  };

  /**
   * Ends a client's load reporting: called when its ADS stream ends (it wants nothing more). A
   * grpc-js-xds client never ends LRS itself, and its report timer would keep its process alive.
   */
  endFor(nodeId: string): void {
    for (const call of this.calls.get(nodeId) ?? []) call.end();
    this.calls.delete(nodeId);
  }

  all(): LoadTotals[] {
    return [...this.totals.values()];
  }

  reset(): void {
    this.totals.clear();
    this.onReport();
  }
}
