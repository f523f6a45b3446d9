// A consistent-hash ring with fixed virtual nodes (Karger/ketama): each endpoint owns
// round(weight × replicas) entries at hash("<address>_<n>"). A survivor's entries do not depend on
// the other endpoints, so removing one of N endpoints moves only the keys it owned (about 1/N).
// (gRPC's ring_hash instead normalizes the ring to [minRingSize, maxRingSize], which rescales every
// endpoint's share of entries when the set changes and moves keys between survivors too.)
// Only when the ring would exceed maxRingSize are all counts scaled down alike.
import { murmur3 } from './hash.js';

export interface Ring {
  hashes: Uint32Array;
  owners: Uint32Array;
}

export function buildRing(endpoints: Array<{ address: string; weight: number }>, replicas: number, maxRingSize: number): Ring {
  let counts = endpoints.map((e) => Math.max(e.weight > 0 ? 1 : 0, Math.round(Math.max(0, e.weight) * replicas)));
  if (counts.every((c) => c === 0)) counts = endpoints.map(() => replicas);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > maxRingSize) counts = counts.map((c) => (c === 0 ? 0 : Math.max(1, Math.floor((c * maxRingSize) / total))));
  const entries: Array<[number, number]> = [];
  endpoints.forEach((e, i) => {
    for (let n = 0; n < counts[i]; n++) entries.push([murmur3(`${e.address}_${n}`), i]);
  });
  entries.sort((a, b) => a[0] - b[0]);
  return { hashes: Uint32Array.from(entries, (e) => e[0]), owners: Uint32Array.from(entries, (e) => e[1]) };
}

/** The owner of the first ring entry at or after `hash` (wrapping around). */
export function lookup(ring: Ring, hash: number): number {
  const { hashes } = ring;
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid] < hash) lo = mid + 1;
    else hi = mid;
  }
  return ring.owners[lo === hashes.length ? 0 : lo];
}
