// Reads a report folder back (lab report): result.json and timeseries.json, checked against the
// shape lab play writes, so a folder that is not a report, or one damaged by hand, gets a message
// naming the file and what is wrong in it, not a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { typeName } from '../../util/yaml-file.js';
import type { Bucket } from '../expectations/index.js';
import type { Verdict } from '../verdict.js';

const stats = z.looseObject({
  calls: z.number(),
  ok: z.number(),
  errors: z.record(z.string(), z.number()),
  extraAttempts: z.number().default(0),
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number().default(0),
});
const bucket = z.looseObject({ t: z.number(), total: stats, backends: z.record(z.string(), stats) });
const series = z.record(z.string(), z.array(bucket));
const result = z.looseObject({
  name: z.string(),
  file: z.string(),
  endMs: z.number().nonnegative(),
  verdict: z.looseObject({
    ok: z.boolean(),
    interrupted: z.boolean().optional(),
    expectations: z.array(z.looseObject({ atMs: z.number(), text: z.string(), ok: z.boolean(), saw: z.string() })),
    actions: z.array(z.looseObject({ atMs: z.number(), text: z.string() })),
  }),
});

const HINT = 'lab play writes a report folder (.lab/reports/<time>-<name>/) holding result.json, timeseries.json and events.jsonl; name one of those folders.';

function readJson<T>(dir: string, name: string, schema: z.ZodType<T>): T {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `it has no ${name}` : code === 'ENOTDIR' ? 'it is not a folder' : `${name}: ${code ?? (err as Error).message}`;
    throw new InputError(`${dir} is not a lab report folder: ${why}`, { hint: HINT });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is damaged: not JSON (${(err as Error).message})`, { hint: HINT });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what =
      issue.code === 'invalid_type'
        ? /received undefined/.test(issue.message)
          ? `missing (expected ${typeName(issue.expected)})`
          : `expected ${typeName(issue.expected)}`
        : issue.message;
    throw new InputError(`${file} is damaged: ${issue.path.join('.') || 'the top'}: ${what}`, { hint: HINT });
  }
  return parsed.data;
}

export interface ReportData {
  name: string;
  file: string;
  endMs: number;
  verdict: Verdict;
  buckets: Map<string, Bucket[]>;
}

export function readReport(dir: string): ReportData {
  if (!existsSync(dir)) throw new InputError(`${dir}: no such folder`, { hint: HINT });
  const r = readJson(dir, 'result.json', result);
  const s = readJson(dir, 'timeseries.json', series);
  return {
    name: r.name,
    file: r.file,
    endMs: r.endMs,
    verdict: r.verdict as unknown as Verdict,
    buckets: new Map(Object.entries(s) as unknown as Array<[string, Bucket[]]>),
  };
}
