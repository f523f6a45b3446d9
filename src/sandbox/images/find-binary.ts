// Finds a host binary a recipe needs, or says how to install it.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';

export function findBinary(name: string, candidates: string[], installHint: string): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const c of [...candidates, ...dirs.map((d) => path.join(d, name))]) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new EnvironmentError(`the ${name} binary is not on this machine (needed to assemble its image; no image could be used or pulled).`, {
    hint: installHint,
  });
}
