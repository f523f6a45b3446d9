// ORCA load reports, measured, not invented: application_utilization and cpu_utilization are this
// process's CPU time per second of wall time; rps_fractional and eps are the calls and failures it
// served in the last second. Sent out of band only (xds.service.orca.v3.OpenRcaService), because
// grpc-js 1.14.7 re-parses the ORCA .proto files on every per-call report, on the server and on
// the client (its loadOrcaProto cache is a const null), which cut throughput ~50×. grpc-js's
// weighted_round_robin weighs each backend by rps_fractional / application_utilization; it
// ignores cpu_utilization (a report with only CPU utilization leaves every weight at zero).
import { ServerMetricRecorder, type Server } from '@grpc/grpc-js';
import type { EchoCounters } from './echo-service.js';

export class LoadMeter {
  utilization = 0;
  qps = 0;
  eps = 0;
  private readonly oob = new ServerMetricRecorder();
  private timer?: NodeJS.Timeout;

  constructor(private readonly counters: EchoCounters) {}

  addToServer(server: Server): void {
    this.oob.addToServer(server);
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
      this.oob.setApplicationUtilizationMetric(this.utilization);
      this.oob.setCpuUtilizationMetric(this.utilization);
      this.oob.setQpsMetric(this.qps);
      this.oob.setEpsMetric(this.eps);
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
