// A consistent-hash ring (gRPC's ring_hash construction): each endpoint gets ring entries in
// proportion to its normalized weight, the ring between minRingSize and maxRingSize entries.
import { murmur3 } from './hash.js';

export interface Ring {
  hashes: Uint32Array;
  owners: Uint32Array;
}

export function buildRing(endpoints: Array<{ address: string; weight: number }>, minRingSize: number, maxRingSize: number): Ring {
  const weights = endpoints.map((e) => (e.weight > 0 ? e.weight : 0));
  const sum = weights.reduce((a, b) => a + b, 0) || endpoints.length;
  const normalized = weights.map((w) => (sum === endpoints.length && w === 0 ? 1 : w) / sum);
  const minNorm = Math.min(...normalized.filter((w) => w > 0));
  const scale = Math.min(Math.ceil(minNorm * minRingSize) / minNorm, maxRingSize);
  const entries: Array<[number, number]> = [];
  let target = 0;
  for (let i = 0; i < endpoints.length; i++) {
    target += scale * normalized[i];
    for (let n = 0; entries.length < Math.round(target); n++) entries.push([murmur3(`${endpoints[i].address}_${n}`), i]);
  }
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
