// The zod shapes of the two unit rules (durations carry their unit; a bare number is a fraction of
// one, a percentage has its %), shared by every file format the lab reads.
import { z } from 'zod';
import { durationProblem, parseDuration } from './duration.js';
import { fractionProblem, parseFraction } from './fraction.js';

/** 500ms, 5s, 1m, or 0. The JSON Schema shows the pattern. */
export const duration = z.union(
  [
    z.literal(0),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*(us|µs|ms|s|m|h)\s*$/, { error: (iss) => durationProblem(iss.input) })
      .refine((v) => parseDuration(v) !== undefined, { error: (iss) => durationProblem(iss.input) }),
  ],
  { error: (iss) => durationProblem(iss.input) },
);

/** 25%, or a fraction of one (0.25). */
export const fraction = z.union([z.string(), z.number()]).refine((v) => parseFraction(v) !== undefined && parseFraction(v)! <= 1, {
  error: (iss) => (parseFraction(iss.input as string) !== undefined ? `at most 100%, found ${String(iss.input)}` : fractionProblem(iss.input)),
});

export const toMs = (v: string | number): number => parseDuration(v)!;
export const toFraction = (v: string | number): number => parseFraction(v)!;
