// lab_ring_hash: consistent hashing of each call onto a ring of the READY backends (fixed virtual nodes,
// `replicas` per unit of weight, the ring bounded by maxRingSize). The key is a metadata value (hashKey, default x-lab-key), or
// the client's own source id (hashOn: "source", every call of a channel to one backend). Removing
// one of N backends moves only the keys it owned: about 1/N of them.
import { randomBytes } from 'node:crypto';
import { definePolicy, numberOption } from './endpoint-balancer.js';
import { murmur3 } from './hash.js';
import { buildRing, lookup, type Ring } from './ring.js';

export const ringHash = definePolicy(
  {
    name: 'lab_ring_hash',
    description: `the lab's consistent hash for any target (grpc-js-xds's ring_hash hashes only on an xDS route's hash policy): on a metadata key (\`hashKey\`, default \`x-lab-key\`, set by \`--hash-keys N\`) or on the client (\`hashOn: "source"\`); fixed virtual nodes (\`replicas\` per unit of weight, \`maxRingSize\`), so removing one of N backends moves only its own keys, ~1/N`,
    keys: ['replicas', 'maxRingSize', 'hashKey', 'hashOn'],
  },
  (json) => {
    const hashOn = json.hashOn ?? 'metadata';
    if (hashOn !== 'metadata' && hashOn !== 'source') throw new Error(`lab_ring_hash: hashOn must be "metadata" or "source", found ${JSON.stringify(hashOn)}`);
    return {
      replicas: numberOption(json, 'replicas', 256, 1, 100_000, 'lab_ring_hash'),
      maxRingSize: numberOption(json, 'maxRingSize', 65_536, 1, 8_388_608, 'lab_ring_hash'),
      hashKey: typeof json.hashKey === 'string' ? json.hashKey.toLowerCase() : 'x-lab-key',
      hashOn: hashOn as 'metadata' | 'source',
    };
  },
  ({ replicas, maxRingSize, hashKey, hashOn }) => {
    let ring: Ring = { hashes: new Uint32Array(), owners: new Uint32Array() };
    const source = murmur3(randomBytes(8).toString('hex'));
    return {
      rebuild(ready) {
        ring = buildRing(ready, replicas, maxRingSize);
      },
      choose(_ready, args) {
        if (hashOn === 'source') return lookup(ring, source);
        const key = args.metadata.get(hashKey)[0];
        // No key: a random position, as gRPC does.
        return lookup(ring, key === undefined ? (Math.random() * 0x100000000) >>> 0 : murmur3(String(key)));
      },
    };
  },
);

export const setup = ringHash.setup;
