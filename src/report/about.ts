// What a scenario says to look for, as its report is headed by it: the `description:` field when it
// has one, else the comment block at the top of its file (the library's scenarios begin with one:
// what the story is, and "What to look for:"). Pure.
import { parseDocument } from 'yaml';

/** At most this many lines head a report: a scenario's whole file is in the report folder. */
const MAX_LINES = 40;

export function aboutOf(text: string): string {
  let description: unknown;
  try {
    description = parseDocument(text, { uniqueKeys: false }).get('description');
  } catch {
    description = undefined;
  }
  const lines = typeof description === 'string' && description.trim() ? description.trim().split('\n') : leadingComment(text);
  const kept = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) kept.push(`… (${lines.length - MAX_LINES} more lines in scenario.yaml)`);
  return kept.join('\n').trimEnd();
}

/** The file's first lines that are comments (a blank line may sit among them), without their '#'. */
function leadingComment(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.startsWith('#')) out.push(line.replace(/^# ?/, ''));
    else if (line.trim() === '' && out.length === 0) continue;
    else if (line.trim() === '') out.push('');
    else break;
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
