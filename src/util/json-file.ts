// A JSON file the lab wrote and reads back (a marker, a record, a cache), parsed against its shape:
// one that is missing, not JSON or not that shape is no file, never a value cast to the type.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

export function readJsonFile<T>(file: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
