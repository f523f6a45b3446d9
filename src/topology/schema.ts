// The part of the Compose spec the lab reads from compose/lab.yaml, plus its `x-lab` extensions.
// Strict: an unknown key is most often a typo, and a typo must not start a half-right cluster.
import { z } from 'zod';
import { duration, toMs } from '../util/units.js';

const stringList = z.union([z.string(), z.array(z.string())]);

/** Docker's image reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest], lower-case path. */
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** An IPv4 subnet with real parts: each octet up to 255, a prefix up to 32. */
const isSubnet = (v: string) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m || !m.slice(1, 5).every((x) => Number(x) <= 255) || Number(m[5]) < 8 || Number(m[5]) > 30) return false;
  // Not loopback, link-local, multicast or reserved: an overlay needs addresses its nodes can route.
  const first = Number(m[1]);
  return first !== 0 && first !== 127 && first < 224 && !(first === 169 && Number(m[2]) === 254);
};

export const ROLES = ['etcd', 'consul', 'echo', 'proxy', 'xds', 'server'] as const;
/** The roles a service takes, and the sidecar the lab puts beside each instance of a server. */
export type Role = (typeof ROLES)[number] | 'sidecar';
/** The lab's image recipes (x-lab.assemble). */
const RECIPES = ['etcd', 'consul', 'echo', 'proxy', 'xds'] as const;

const serviceLab = z.strictObject({
  role: z.enum(ROLES),
  /** How to build the image locally when it is not present: one of the lab's recipes. */
  assemble: z.enum(RECIPES).optional(),
  /**
   * Server only: a host executable the image is made of (with the shared libraries `ldd` lists), as
   * the lab assembles etcd's, tagged by content in `image`'s repository; relative to the topology file.
   */
  binary: z.string().min(1).optional(),
  /** Server only: how its sidecar asks whether it answers: grpc.health.v1 Check ("" service), or a TCP connect plus an HTTP/2 PING. */
  health: z.enum(['grpc', 'tcp']).optional(),
  /** Server only: how often its sidecar probes it, and how long an answer may take (at most the interval). */
  probe: z.strictObject({ interval: duration.optional(), bound: duration.optional() }).optional(),
  /** Echo: the loopback address plan; {n} is the replica number from 1. etcd: the members' plan when members > 1. */
  address: z.string().optional(),
  /** etcd only: 1 (default) or a cluster of 3 or 5 members (etcd-1, etcd-2, ...). */
  members: z
    .union([z.literal(1), z.literal(3), z.literal(5)], {
      error: (iss) => `etcd is 1, 3 or 5 members (a cluster needs an odd number), found ${JSON.stringify(iss.input)}`,
    })
    .optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** Proxy only: HAProxy's balance algorithm (roundrobin, leastconn, source, static-rr, hdr(<name>)). */
  balance: z
    .string()
    .regex(
      /^(roundrobin|leastconn|source|static-rr|first|random|hdr\([A-Za-z0-9-]+\))$/,
      'expected roundrobin, leastconn, source, static-rr, first, random or hdr(<header>)',
    )
    .optional(),
  /** Proxy and xds: run only when asked (lab up --proxy / --xds, a scenario's sandbox). Default false. */
  enabled: z.boolean().optional(),
  /** xds only: where its endpoints come from, Consul's health-checked catalog (default) or etcd's keys. */
  source: z.enum(['consul', 'etcd']).optional(),
  /** Echo only: host clients reach each echo through a TCP link proxy (for link faults). Default true. */
  'link-proxy': z.boolean().optional(),
  weights: z.array(z.number().int().min(0).max(1000)).optional(),
  zones: z.array(z.string().min(1)).min(1, 'expected at least one zone (they are cycled over the replicas)').optional(),
});

export const serviceSchema = z.strictObject({
  image: z
    .string()
    .min(1)
    .refine((v) => IMAGE_REF.test(v), { message: 'not an image reference Docker can parse (e.g. lab/echo or registry.example:5000/team/echo:1.2)' }),
  entrypoint: stringList.optional(),
  command: stringList.optional(),
  environment: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), z.array(z.string())]).optional(),
  ports: z.array(z.string()).optional(),
  /** Anonymous volumes only ("/var/lib/etcd"): the lab mounts nothing from the host. */
  volumes: z
    .array(z.string().regex(/^\/[^:]*$/, 'only anonymous volumes, as a container path such as /var/lib/etcd (the lab mounts nothing from the host)'))
    .optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  deploy: z
    .strictObject({ replicas: z.number().int().min(1, 'expected at least 1 replica (a service the lab runs has one or more)').max(250).optional() })
    .optional(),
  init: z.boolean().optional(),
  'x-lab': serviceLab,
});

export const topologySchema = z.strictObject({
  services: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'service names are lower-case letters, digits and dashes'), serviceSchema),
  networks: z
    .record(
      z.string(),
      z
        .object({
          name: z
            .string()
            .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a network name is letters, digits and _ . - (Docker refuses others)')
            .refine((v) => !['host', 'bridge', 'none', 'default', 'ingress'].includes(v), {
              message: "that name is one of Docker's own networks (host, bridge, none, ingress); the lab makes a network of its own",
            })
            .optional(),
        })
        .loose()
        .nullable(),
    )
    .optional(),
  'x-lab': z
    .strictObject({
      project: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,30}$/, 'expected a short lower-case name (letters, digits, dashes)')
        .default('lab'),
      pull: z.boolean().default(false),
      /** Where `lab router` (and a scenario's {router} target) listens: a loopback address. */
      router: z
        .string()
        .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/, 'expected a loopback address and port, e.g. 127.77.0.5:50070')
        .default('127.77.0.5:50070'),
      /** Where the sandbox runs: this machine's Docker engine (default), or the swarm it manages. */
      engine: z.enum(['docker', 'swarm']).default('docker'),
      /** With engine swarm: the overlay network's subnet (the lab owns it), and each node's Docker API. */
      swarm: z
        .strictObject({
          subnet: z
            .string()
            .refine(isSubnet, { message: 'expected a private IPv4 subnet with a prefix from /8 to /30, not loopback or multicast (e.g. 10.214.0.0/24)' })
            .default('10.214.0.0/24'),
          /** Node hostname -> its Docker API (unix:///path, tcp://host:port); LAB_SWARM_NODES adds to it. */
          nodes: z.record(z.string(), z.string().regex(/^(unix|tcp|http):\/\//, 'expected unix:///path or tcp://host:port')).default({}),
        })
        .prefault({}),
      registration: z
        .strictObject({
          'etcd-prefix': z.string().startsWith('/').default('/lab/services'),
          /** etcd grants leases in whole seconds. */
          'lease-ttl': duration
            .refine((v) => toMs(v) >= 1000 && toMs(v) % 1000 === 0, { message: 'an etcd lease lasts a whole number of seconds, at least 1s (e.g. 5s)' })
            .default('5s'),
          /** Consul raises a check interval under 1 s to 1 s. */
          'check-interval': duration
            .refine((v) => toMs(v) >= 1000, { message: 'Consul checks at most every 1s (it raises a shorter interval to 1s); give 1s or more' })
            .default('1s'),
          /** Consul's reaper keeps a critical service at least a minute. */
          'deregister-after': duration
            .refine((v) => toMs(v) >= 60_000, {
              message: 'Consul removes a critical service after 1m at the soonest (a shorter time is raised to 1m); give 1m or more',
            })
            .default('1m'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type TopologyFile = z.infer<typeof topologySchema>;
export type ServiceFile = z.infer<typeof serviceSchema>;
