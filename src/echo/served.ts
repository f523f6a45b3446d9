// Server-side accounting: what this echo server has served, per client identity (the calls'
// `x-lab-client` metadata, else "others": behind Docker's proxy every host client has the same peer
// address, so the address cannot tell them apart). Counts and an HDR histogram of served time, all
// cumulative since the process started: any number of watchers take differences, and none can
// reset another's view. The lab folds them into the same buckets its own driver emits.
import { randomUUID } from 'node:crypto';
import { CLIENT_HEADER, statusName } from '../wire/index.js';
import { status, type Metadata } from '@grpc/grpc-js';
// The builder and the encoder alone: the package's index also loads its log writer, which builds an
// Intl.NumberFormat as it loads (~12 ms of every echo server's start).
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import type { Histogram } from 'hdr-histogram-js';
// Types only (erased from the bundle): the echo imports no code from the rest of the lab.
import type { ServedReport } from '../grpc/generated/lab/control/v1/ServedReport.js';

export const OTHERS = 'others';
/** More distinct identities than this are counted as "others" (a client inventing names cannot grow the map). */
const MAX_CLIENTS = 256;

class Served {
  calls = 0;
  ok = 0;
  readonly errors: Record<string, number> = {};
  readonly latency: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 2,
    useWebAssembly: false,
  });
}

export class ServedLedger {
  private readonly byClient = new Map<string, Served>();
  readonly incarnation = randomUUID();
  private readonly born = performance.now();
  finished = 0;

  /** The identity a call is counted under. */
  static identity(md: Metadata): string {
    const v = md.get(CLIENT_HEADER)[0];
    return typeof v === 'string' && v ? v : OTHERS;
  }

  /** One finished call: its status code and the time it was served, from arrival to answer. */
  record(client: string, code: number, startedAt: number): void {
    let s = this.byClient.get(client);
    if (!s) {
      if (this.byClient.size >= MAX_CLIENTS && client !== OTHERS) return this.record(OTHERS, code, startedAt);
      this.byClient.set(client, (s = new Served()));
    }
    this.finished++;
    s.calls++;
    if (code === status.OK) s.ok++;
    else {
      const name = statusName(code);
      s.errors[name] = (s.errors[name] ?? 0) + 1;
    }
    const micros = Math.round((performance.now() - startedAt) * 1000);
    s.latency.recordValue(micros < 1 ? 1 : micros);
  }

  report(id: string): ServedReport {
    return {
      id,
      incarnation: this.incarnation,
      finished: String(this.finished),
      uptimeMs: String(Math.round(performance.now() - this.born)),
      clients: [...this.byClient].map(([client, s]) => ({
        client,
        calls: String(s.calls),
        ok: String(s.ok),
        errors: Object.fromEntries(Object.entries(s.errors).map(([k, v]) => [k, String(v)])),
        latency: encodeIntoCompressedBase64(s.latency),
      })),
    };
  }
}
