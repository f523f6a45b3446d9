// One plain line per time bucket: rate, errors, latency, and each backend's share.
import { shareLine, type TrafficEvent } from '../../traffic/index.js';

export function formatBucket(e: Extract<TrafficEvent, { type: 'bucket' }>): string {
  const total = e.total.calls;
  const rate = Math.round((total * 1000) / e.widthMs);
  const errors = total - e.total.ok;
  const shares = shareLine(e.backends, total);
  const errorText = errors
    ? `  errors ${Object.entries(e.total.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`
    : '';
  return `${(e.t / 1000).toFixed(1).padStart(5)}s  ${String(rate).padStart(6)}/s  p50 ${e.total.p50Ms} ms  p99 ${e.total.p99Ms} ms  │ ${shares}${errorText}`;
}
