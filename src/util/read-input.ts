// Reads a file the user named (a scenario, a topology): a regular file of reasonable size, or an
// InputError saying what it is instead. A named pipe or a device would block the read with no
// word; a folder or a huge file would fail with an errno.
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Far more than any scenario or topology needs (the library's largest is a few KiB). */
export const MAX_INPUT_BYTES = 1 << 20;

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** The text, or where it stops being UTF-8 (a file saved as Latin-1 would read as mojibake). */
function utf8(buf: Buffer, fail: (why: string) => InputError): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    let good = 0;
    for (let end = buf.length; good < end;) {
      const mid = Math.ceil((good + end) / 2);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, mid));
        good = mid;
      } catch {
        end = mid - 1;
      }
    }
    // The longest valid prefix may end inside a character: step back to its start.
    while (good > 0 && (buf[good] & 0xc0) === 0x80) good--;
    const line = buf.subarray(0, good).toString('utf8').split('\n').length;
    throw fail(`it is not UTF-8 text (line ${line} holds the byte 0x${buf[good].toString(16).toUpperCase().padStart(2, '0')}); save it as UTF-8`);
  }
}

export function readInputFile(file: string, what: string, hint?: string): string {
  const fail = (why: string) => new InputError(`cannot read the ${what} ${file}: ${why}`, hint ? { hint } : {});
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw fail(ERRNO[code] ?? (code || (err as Error).message));
  }
  if (st.isDirectory()) throw fail(`it is a folder (name a .yaml file in it)`);
  if (!st.isFile())
    throw fail(`it is not a regular file (${st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device'}); the lab reads whole files`);
  if (st.size > MAX_INPUT_BYTES) throw fail(`it is ${(st.size / 1048576).toFixed(1)} MiB; the lab reads files up to 1 MiB`);
  try {
    const buf = readFileSync(file);
    if (buf.includes(0)) throw fail('it is not text (it holds NUL bytes)');
    return utf8(buf, fail);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw fail(ERRNO[code] ?? (code || (err as Error).message));
  }
}
