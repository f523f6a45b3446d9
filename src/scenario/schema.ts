// The scenario file format (YAML). The JSON Schema editors use is generated from this zod schema
// (`lab schema`). Durations read like 5s or 500ms; times are relative to the start of traffic.
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { ACTION_KINDS } from './actions/kinds.js';

export const duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  message: 'expected a duration such as 500ms, 5s or 1m',
});

const matcherValue = z.union([z.string(), z.number()]);

export const expectSchema = z.strictObject({
  client: z.string().min(1),
  /** Per backend: { echo-2: 0, echo-1: ">25%" }, or a ratio over backends in name order: "≈ 1:2:3 ± 5%". */
  share: z.union([z.record(z.string(), matcherValue), z.string()]).optional(),
  /** { rate: "<1%" }, { total: 0 }, { UNAVAILABLE: "<5" } over the window. */
  errors: z.record(z.string(), matcherValue).optional(),
  /** { p50: "<5ms", p99: "<50ms" } over the window. */
  latency: z.partialRecord(z.enum(['p50', 'p99', 'max']), matcherValue).optional(),
  /** Attempts per call (retries and hedges add to 1): "2.5..3.5", "<1.1". */
  attempts: matcherValue.optional(),
  /** Holds by this time after the step, and keeps holding for `settle`. */
  within: duration.optional(),
  /** Holds in every window for this long after the step (true: to the end). */
  always: z.union([duration, z.literal(true)]).optional(),
  settle: duration.optional(),
  /** Window the stats are taken over (default 1s). */
  window: duration.optional(),
});

const clientSchema = z.strictObject({
  target: z.string().min(1).default('etcd:///echo'),
  /** A balancer name with its defaults, or a whole service config (object or JSON text). */
  lb: z.union([z.string(), z.record(z.string(), z.unknown())]).default('round_robin'),
  rate: z.number().positive().max(1_000_000).optional(),
  concurrency: z.number().int().positive().max(100_000).optional(),
  call: z.enum(['unary', 'server-stream', 'client-stream', 'bidi']).default('unary'),
  deadline: duration.default('1s'),
  metadata: z.record(z.string(), z.string()).optional(),
  hashKeys: z.number().int().positive().optional(),
  keepalive: z.union([duration, z.strictObject({ time: duration, timeout: duration })]).optional(),
  /** dns: targets: the least time between two resolutions (grpc-js's default is 30 s). */
  dnsInterval: duration.optional(),
});

const actionShape = Object.fromEntries(ACTION_KINDS.map((k) => [k, z.unknown().optional()])) as Record<(typeof ACTION_KINDS)[number], z.ZodOptional<z.ZodUnknown>>;

export const stepSchema = z.strictObject({
  at: duration,
  expect: expectSchema.optional(),
  ...actionShape,
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Overrides of compose/lab.yaml: how many echo servers, and etcd as a cluster of 3 or 5 members. */
  sandbox: z.strictObject({ echo: z.number().int().min(1).max(250).optional(), etcd: z.union([z.literal(1), z.literal(3), z.literal(5)]).optional(), proxy: z.boolean().optional() }).optional(),
  duration,
  clients: z.record(z.string().regex(/^[A-Za-z][\w-]*$/, 'client names are letters, digits, - and _'), clientSchema),
  steps: z.array(stepSchema).default([]),
});

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export type ExpectFile = z.infer<typeof expectSchema>;
