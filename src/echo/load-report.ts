// ORCA load reports, measured, not invented: application_utilization and cpu_utilization are this
// process's CPU time per second of wall time; rps_fractional and eps are the calls and failures it
// served in the last second. Sent out of band only (xds.service.orca.v3.OpenRcaService), because
// grpc-js 1.14.7 re-parses the ORCA .proto files on every per-call report, on the server and on
// the client (its loadOrcaProto cache is a const null), which cut throughput ~50×. grpc-js's
// weighted_round_robin weighs each backend by rps_fractional / application_utilization; it
// ignores cpu_utilization (a report with only CPU utilization leaves every weight at zero).
// The service is served here, from protos/orca (ORCA's two files without their validate rules):
// grpc-js's ServerMetricRecorder loads its own copy with protoc-gen-validate's, ~100 ms of CPU at
// every echo's start, what 100 of them starting at once cannot afford.
import path from 'node:path';
import { loadPackageDefinition, type Server, type ServerWritableStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { EchoCounters } from './echo-service.js';

/** What grpc-js's ORCA client asks: a report every `report_interval` (a Duration). */
interface ReportRequest {
  report_interval?: { seconds?: string | number; nanos?: number } | null;
}

/** The report: the field names of orca_load_report.proto. */
interface LoadReport {
  cpu_utilization: number;
  application_utilization: number;
  rps_fractional: number;
  eps: number;
}

const DEFAULT_INTERVAL_MS = 30_000;
// grpc-js asks for the weighted_round_robin's oob_reporting_period (10 s by default; the lab's 1 s).
const MIN_INTERVAL_MS = 100;

function orcaService(protoDir: string): ServiceDefinition {
  const def = loadSync('xds/service/orca/v3/orca.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [path.join(protoDir, 'orca')],
  });
  const pkg = loadPackageDefinition(def) as unknown as { xds: { service: { orca: { v3: { OpenRcaService: { service: ServiceDefinition } } } } } };
  return pkg.xds.service.orca.v3.OpenRcaService.service;
}

const intervalMs = (r: ReportRequest) => {
  const d = r.report_interval;
  if (!d) return DEFAULT_INTERVAL_MS;
  return Math.max(MIN_INTERVAL_MS, Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6);
};

export class LoadMeter {
  utilization = 0;
  qps = 0;
  eps = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly counters: EchoCounters) {}

  report(): LoadReport {
    return { cpu_utilization: this.utilization, application_utilization: this.utilization, rps_fractional: this.qps, eps: this.eps };
  }

  addToServer(server: Server, protoDir: string): void {
    server.addService(orcaService(protoDir), {
      StreamCoreMetrics: (call: ServerWritableStream<ReportRequest, LoadReport>) => {
        const every = setInterval(() => call.write(this.report()), intervalMs(call.request));
        call.on('cancelled', () => clearInterval(every));
      },
    });
  }

  start(): void {
    let cpu = process.cpuUsage();
    let wall = performance.now();
    let calls = this.counters.calls;
    let failures = this.counters.injectedFailures;
    this.timer = setInterval(() => {
      const nowWall = performance.now();
      const used = process.cpuUsage(cpu);
      const secs = (nowWall - wall) / 1000;
      this.utilization = Math.min(1, (used.user + used.system) / 1e6 / secs);
      this.qps = (this.counters.calls - calls) / secs;
      this.eps = (this.counters.injectedFailures - failures) / secs;
      cpu = process.cpuUsage();
      wall = nowWall;
      calls = this.counters.calls;
      failures = this.counters.injectedFailures;
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
