// The scenario file format (YAML), as a zod schema built from the registries: each action's and
// expectation's own schema sits under its key, so the parser, `lab schema` (the JSON Schema editors
// use), --help and the README's tables all come from one place. Durations carry their unit (500ms,
// 5s); shares and rates are percentages (25%) or fractions of one (0.25).
import { z } from 'zod';
import { duration, toMs } from '../util/units.js';
import { actionDefinitions } from './actions/index.js';
import { expectationKinds } from './expectations/index.js';
import { GRFCS } from './grfc.js';

/** How long a scenario may run: a day (a soak is hours; Node's timers stop at ~24.8 days). */
export const MAX_SCENARIO_MS = 24 * 3_600_000;

/** At least one window of the verdict. */
export const MIN_SCENARIO_MS = 1000;

/** Names that become file names and header values (a report folder, client-<name>.log, x-lab-client). */
export const MAX_NAME = 64;

const positive = duration.refine((v) => toMs(v) > 0, { message: 'expected a duration above 0, such as 1s' });

const clientSchema = z.strictObject({
  /** Where the lab's own client sends calls (etcd:///echo when not given). */
  target: z.string().min(1).optional(),
  /** Your own client instead: a command line the lab starts (sh -c, in the scenario's folder) and watches from the servers' side. */
  run: z.string().min(1).optional(),
  /** The x-lab-client metadata your client sends (default: the client's key); its calls are counted under it. */
  name: z
    .string()
    .regex(/^[\w.-]+$/, 'a client name is letters, digits and - _ .')
    .max(MAX_NAME, `a client name is at most ${MAX_NAME} characters (it goes on every call)`)
    .optional(),
  /** How long your client gets between SIGTERM and SIGKILL at the end (default 2s). */
  grace: duration.optional(),
  /** A balancer name with its defaults, or a whole service config (object or JSON text); round_robin when not given (and not for xds: targets, whose control plane chooses). */
  lb: z
    .union([z.string(), z.record(z.string(), z.unknown())], {
      error: 'expected a balancer name (round_robin) or a service config mapping ({ wrr_smooth: { maxFails: 3 } })',
    })
    .optional(),
  rate: z.number().positive().max(1_000_000).optional(),
  concurrency: z.number().int().positive().max(100_000).optional(),
  /** One of the echo's call kinds, or a method of a server of yours, called unary with an empty message. */
  call: z
    .union([z.enum(['unary', 'server-stream', 'client-stream', 'bidi']), z.strictObject({ method: z.string().min(1) })], {
      error: 'expected one of "unary", "server-stream", "client-stream", "bidi", or { method: /package.Service/Method } (a server of yours)',
    })
    .default('unary'),
  deadline: duration.default('1s'),
  metadata: z.record(z.string(), z.string()).optional(),
  hashKeys: z.number().int().positive().optional(),
  keepalive: z.union([positive, z.strictObject({ time: positive, timeout: positive })]).optional(),
  /** dns: targets: the least time between two resolutions (grpc-js's default is 30 s). */
  dnsInterval: positive.optional(),
  /** Each call waits for a READY backend (until its deadline) instead of failing at once while the channel is in TRANSIENT_FAILURE. */
  waitForReady: z.boolean().optional(),
});

function expectSchema() {
  return z.strictObject({
    client: z.string().min(1),
    ...Object.fromEntries(expectationKinds().map((k) => [k.key, k.schema.optional().describe(`${k.summary}. e.g. ${k.example}`)])),
    /** Holds by this time after the step, and keeps holding for `settle`. */
    within: duration.optional(),
    /** Holds in every window for this long after the step (true: to the end). */
    always: z.union([duration, z.literal(true)]).optional(),
    settle: duration.optional(),
    /** Window the stats are taken over (default 1s). */
    window: duration.refine((v) => toMs(v) > 0, { message: 'a window must be longer than 0 (e.g. 1s)' }).optional(),
  });
}

function stepSchema() {
  return z.strictObject({
    at: duration,
    expect: expectSchema().optional(),
    ...Object.fromEntries(actionDefinitions().map((a) => [a.kind, a.arg.optional().describe(`${a.summary}. e.g. ${a.example}`)])),
  });
}

let built: ReturnType<typeof build> | undefined;

function build() {
  return z.strictObject({
    name: z.string().min(1).max(100, 'a scenario name is at most 100 characters (it names the report folder)'),
    description: z.string().optional(),
    /** The gRFCs the scenario shows (the README's map of them is generated from these). */
    grfc: z
      .array(
        z.string().refine((id) => id in GRFCS, {
          error: (iss) => `${JSON.stringify(iss.input)} is not a gRFC the lab shows; known: ${Object.keys(GRFCS).join(', ')}`,
        }),
      )
      .optional(),
    /** Overrides of compose/lab.yaml: how many echo servers, etcd as a cluster of 3 or 5 members, the proxy. */
    sandbox: z
      .strictObject({
        echo: z.number().int().min(1).max(250).optional(),
        etcd: z
          .union([z.literal(1), z.literal(3), z.literal(5)], {
            error: (iss) => `etcd is 1, 3 or 5 members (a cluster needs an odd number), found ${JSON.stringify(iss.input)}`,
          })
          .optional(),
        proxy: z.boolean().optional(),
        /** The lab's xDS control plane (xds:///echo targets). */
        xds: z.boolean().optional(),
        /** The echo servers send each connection a GOAWAY after this long (grpc-js's max_connection_age, gRFC A9). */
        maxConnectionAge: duration.refine((v) => toMs(v) >= 1000, { message: 'a connection age of at least 1s' }).optional(),
      })
      .optional(),
    duration: duration.refine((v) => toMs(v) >= MIN_SCENARIO_MS && toMs(v) <= MAX_SCENARIO_MS, {
      message: 'a scenario runs for at least 1s (one window of the verdict) and at most 24h',
    }),
    clients: z.record(
      z
        .string()
        .regex(/^[A-Za-z][\w-]*$/, 'client names are letters, digits, - and _')
        .max(MAX_NAME, `client names are at most ${MAX_NAME} characters`),
      clientSchema,
    ),
    steps: z.array(stepSchema()).default([]),
  });
}

/** The schema, built once the registries are filled (setup()). */
export function scenarioSchema() {
  return (built ??= build());
}

export type ScenarioFile = z.infer<ReturnType<typeof build>>;
