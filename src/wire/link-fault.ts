// What a link fault is: the knobs of the TCP proxy in front of each echo server. Pure data.

/** `down` = bytes from the backend to the client (the default, as Toxiproxy's toxics), `up` = client to backend. */
export type Direction = 'down' | 'up' | 'both';

export interface LinkFault {
  /** Added delay per chunk of bytes, in milliseconds, plus or minus up to jitterMs (uniform). */
  latencyMs: number;
  jitterMs: number;
  /** Bytes per second; 0 = unlimited. */
  bandwidthBps: number;
  /** Bytes vanish; connections stay open (Toxiproxy's timeout toxic with timeout 0). */
  blackhole: boolean;
  /** Every connection, open or new, is reset (RST) while this is set. */
  reset: boolean;
  /** A close (FIN) from one side reaches the other this much later. */
  slowCloseMs: number;
  direction: Direction;
}

export const NO_LINK_FAULT: LinkFault = { latencyMs: 0, jitterMs: 0, bandwidthBps: 0, blackhole: false, reset: false, slowCloseMs: 0, direction: 'down' };

/** Fills defaults and coerces what protobuf hands over (uint64 arrives as a string). */
export function normalizeLinkFault(f: Partial<Record<keyof LinkFault, unknown>> | undefined): LinkFault {
  const n = (v: unknown) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : 0);
  const d = f?.direction;
  return {
    latencyMs: n(f?.latencyMs),
    jitterMs: n(f?.jitterMs),
    bandwidthBps: n(f?.bandwidthBps),
    blackhole: f?.blackhole === true,
    reset: f?.reset === true,
    slowCloseMs: n(f?.slowCloseMs),
    direction: d === 'up' || d === 'both' ? d : 'down',
  };
}

export const isIdle = (f: LinkFault) => !f.latencyMs && !f.jitterMs && !f.bandwidthBps && !f.blackhole && !f.reset && !f.slowCloseMs;

/** Whether the fault's byte knobs apply to this direction of the connection. */
export const appliesTo = (f: LinkFault, dir: 'down' | 'up') => f.direction === 'both' || f.direction === dir;

export function describeLinkFault(f: LinkFault): string {
  const parts = [
    f.latencyMs || f.jitterMs ? `+${f.latencyMs}ms${f.jitterMs ? `±${f.jitterMs}` : ''}` : '',
    f.bandwidthBps ? `${formatRate(f.bandwidthBps)}` : '',
    f.blackhole ? 'blackhole' : '',
    f.reset ? 'reset' : '',
    f.slowCloseMs ? `slow close ${f.slowCloseMs}ms` : '',
  ].filter(Boolean);
  if (!parts.length) return 'clear';
  return `${parts.join(', ')}${f.reset ? '' : ` (${f.direction === 'both' ? 'both ways' : f.direction === 'up' ? 'client→backend' : 'backend→client'})`}`;
}

function formatRate(bps: number): string {
  if (bps >= 1_000_000) return `${+(bps / 1_000_000).toFixed(2)}MB/s`;
  if (bps >= 1000) return `${+(bps / 1000).toFixed(2)}kB/s`;
  return `${bps}B/s`;
}
