// Reads a report folder back (lab report): result.json, timeseries.json and events.jsonl, parsed
// against the shape lab play writes, with every number bounded as a run can make it (so a damaged
// or hand-made folder never reaches a chart's axis with 1e308), each file read as a regular file
// only (folder-io.ts). A folder that is not a report, or one damaged, gets a message naming the
// file and what is wrong in it (exit 2), never a stack trace.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { typeName } from '../util/yaml-file.js';
import type { Bucket, Verdict } from '../scenario/index.js';
import type { XdsEvent } from '../xds/index.js';
import { readReportFile, ReportFileError } from './folder-io.js';
import { aboutOf } from './about.js';
import type { ClientLabel } from './clients.js';

/** A run's times: a day and then some. */
const MAX_MS = 25 * 3_600_000;
/** Latencies: no call outlives its deadline (an hour at most) by much. */
const MAX_LATENCY_MS = 10 * 3_600_000;

const ms = z.number().min(0).max(MAX_MS);
const count = z.number().int().min(0).max(1e12);
const latency = z.number().min(0).max(MAX_LATENCY_MS);

const stats = z.looseObject({
  calls: count,
  ok: count,
  errors: z.record(z.string(), count),
  extraAttempts: count.default(0),
  p50Ms: latency,
  p99Ms: latency,
  maxMs: latency.default(0),
});
const bucket = z.looseObject({ t: ms, total: stats, backends: z.record(z.string(), stats) });
const series = z.record(z.string(), z.array(bucket));

const pct = z.number().min(0).max(100);
const joined = z.union([
  z.strictObject({ backend: z.string(), state: z.literal('fair'), ms, pct }),
  z.strictObject({ backend: z.string(), state: z.literal('never'), pct, best: pct }),
  z.strictObject({ backend: z.string(), state: z.literal('not-judged'), pct }),
]);
const rebalance = z.union([z.strictObject({ state: z.literal('settled'), ms }), z.strictObject({ state: z.enum(['unchanged', 'unsettled', 'not-judged']) })]);
const verdict = z.looseObject({
  ok: z.boolean(),
  interrupted: z.boolean().default(false),
  cutShortAtMs: ms.optional(),
  expectations: z.array(
    z.looseObject({
      index: z.number().int().min(0),
      line: z.number().int().min(0),
      text: z.string(),
      client: z.string().optional(),
      atMs: ms,
      ok: z.boolean(),
      state: z.enum(['passed', 'failed', 'not-judged']).optional(),
      timeToHoldMs: ms.optional(),
      failedAtMs: ms.optional(),
      judgedByMs: ms.optional(),
      saw: z.string(),
      note: z.string().optional(),
    }),
  ),
  actions: z.array(
    z.looseObject({
      index: z.number().int().min(0),
      line: z.number().int().min(0),
      text: z.string(),
      short: z.string().optional(),
      atMs: ms,
      ranAtMs: ms.optional(),
      error: z.string().optional(),
      detail: z.string().optional(),
      rebalance: z.record(z.string(), rebalance).optional(),
      joined: z.record(z.string(), z.array(joined).max(10_000)).optional(),
      /** Reports written before the rebalance states: a time, or null when it did not settle. */
      rebalanceMs: z.record(z.string(), ms.nullable()).optional(),
    }),
  ),
  ownClients: z.array(z.looseObject({ name: z.string(), run: z.string(), how: z.string(), early: z.boolean() })).optional(),
});
const xdsEvent = z.looseObject({
  type: z.literal('xds'),
  t: ms,
  versions: z.record(z.string(), z.string()),
  clients: z
    .array(
      z.looseObject({
        client: z.string(),
        nodeId: z.string(),
        connected: z.boolean(),
        types: z.array(z.looseObject({ type: z.string(), acked: z.string(), nacked: z.string().optional(), error: z.string().optional() })).max(64),
        loads: z.record(z.string(), z.looseObject({ ok: count, errors: count })),
      }),
    )
    .max(10_000),
  sourceOk: z.boolean(),
  lb: z.string(),
});
const clientLabel = z.looseObject({ name: z.string().max(200), target: z.string().max(4096), resolver: z.string().max(4096), balancer: z.string().max(4096) });
const result = z.looseObject({ name: z.string(), file: z.string(), endMs: ms, verdict, clients: z.array(clientLabel).max(10_000).optional() });

const HINT = 'lab play writes a report folder (.lab/reports/<time>-<name>/) holding result.json, timeseries.json and events.jsonl; name one of those folders.';

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // A SyntaxError says where; a RangeError (nesting too deep to parse) says only that.
    const why = err instanceof SyntaxError ? err.message : 'nested too deeply to read';
    throw new InputError(`${file} is damaged: not JSON (${why})`, { hint: HINT });
  }
}

function readJson<T>(dir: string, name: string, schema: z.ZodType<T>): T {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = readReportFile(dir, name, HINT);
  } catch (err) {
    if (err instanceof ReportFileError && /missing/.test(err.why)) throw new InputError(`${dir} is not a lab report folder: it has no ${name}`, { hint: HINT });
    throw err;
  }
  const parsed = schema.safeParse(parseJson(file, text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what =
      issue.code === 'invalid_type'
        ? /received undefined/.test(issue.message)
          ? `missing (expected ${typeName(issue.expected)})`
          : `expected ${typeName(issue.expected)}`
        : issue.code === 'too_big' || issue.code === 'too_small'
          ? `${JSON.stringify(valueAt(parseJson(file, text), issue.path))} is out of range (${issue.message.replace(/^Too (big|small): expected number to (be )?/, '')})`
          : issue.message;
    throw new InputError(`${file} is damaged: ${issue.path.join('.') || 'the top'}: ${what}`, { hint: HINT });
  }
  return parsed.data;
}

function valueAt(v: unknown, p: PropertyKey[]): unknown {
  return p.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<PropertyKey, unknown>)[k] : undefined), v);
}

export interface ReportData {
  name: string;
  file: string;
  endMs: number;
  verdict: Verdict;
  buckets: Map<string, Bucket[]>;
  /** The run's xDS events (from events.jsonl; none when it ran without the control plane). */
  xds: XdsEvent[];
  /** What the scenario says to look for (its description, or the comment at its top); empty when the folder has no scenario.yaml. */
  about: string;
  /** Each client's target, resolver and balancer with their origins (reports before they were recorded have none). */
  clients?: ClientLabel[];
}

/** The xDS events of a report's events.jsonl; a damaged line names its number. A report without one has none. */
export function readXdsEvents(dir: string): XdsEvent[] {
  let text: string;
  try {
    text = readReportFile(dir, 'events.jsonl', HINT);
  } catch (err) {
    if (err instanceof ReportFileError && /missing/.test(err.why)) return [];
    throw err;
  }
  const out: XdsEvent[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new InputError(
        `${path.join(dir, 'events.jsonl')}:${i + 1} is damaged: not JSON${line.length > 80 ? ` (a line of ${line.length} characters)` : `: ${line}`}`,
        {
          hint: HINT,
        },
      );
    }
    if (!e || typeof e !== 'object' || !('type' in e) || e.type !== 'xds') continue;
    const parsed = xdsEvent.safeParse(e);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`${path.join(dir, 'events.jsonl')}:${i + 1} is damaged: ${issue.path.join('.') || 'the event'}: ${issue.message}`, { hint: HINT });
    }
    out.push(parsed.data);
  }
  return out;
}

export function readReport(dir: string): ReportData {
  if (!existsSync(dir)) throw new InputError(`${dir}: no such folder`, { hint: HINT });
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir} is not a folder`, { hint: HINT });
  const r = readJson(dir, 'result.json', result);
  const s = readJson(dir, 'timeseries.json', series);
  return {
    name: r.name,
    file: r.file,
    endMs: r.endMs,
    verdict: r.verdict,
    buckets: new Map(Object.entries(s)),
    xds: readXdsEvents(dir),
    about: aboutOf(readScenarioText(dir)),
    ...(r.clients ? { clients: r.clients } : {}),
  };
}

/** The scenario the run played (scenario.yaml), or nothing when the folder has none (one made by hand). */
function readScenarioText(dir: string): string {
  if (!existsSync(path.join(dir, 'scenario.yaml'))) return '';
  return readReportFile(dir, 'scenario.yaml', HINT);
}
