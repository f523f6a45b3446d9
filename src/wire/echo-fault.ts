// What an echo server's call faults are: the knobs its control service sets (SetFault), as the
// scenario's `fault` action writes them and the view describes them. Pure data.
import { status } from '@grpc/grpc-js';

export interface Fault {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  errorCode: number;
  failN: number;
  failOfM: number;
  cpuBurnUs: number;
}

export const NO_FAULT: Fault = { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: status.UNAVAILABLE, failN: 0, failOfM: 0, cpuBurnUs: 0 };

/** "+100ms±10, 10% errors, fail 2 of 3, 500µs CPU/call", or '' when nothing is in force. */
export function describeFault(f: Partial<Fault> | undefined): string {
  if (!f) return '';
  return [
    f.latencyMs ? `+${f.latencyMs}ms${f.jitterMs ? `±${f.jitterMs}` : ''}` : '',
    f.errorRate ? `${+(f.errorRate * 100).toFixed(2)}% errors` : '',
    f.failOfM ? `fail ${f.failN} of ${f.failOfM}` : '',
    f.cpuBurnUs ? `${f.cpuBurnUs}µs CPU/call` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
