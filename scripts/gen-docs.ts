// npm run docs: rewrites the README's generated tables (actions, expectations, balancers) from the
// registries. `--check` exits 1 when the README is not current (the docs test runs the same check).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withGeneratedTables } from '../src/cli/docs.js';
import { setupLab } from '../src/setup.js';

setupLab();
const readme = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const text = readFileSync(readme, 'utf8');
const next = withGeneratedTables(text);
if (process.argv.includes('--check')) {
  if (next !== text) {
    process.stderr.write('README.md: the generated tables are out of date; run `npm run docs`\n');
    process.exitCode = 1;
  }
} else if (next !== text) {
  writeFileSync(readme, next);
  process.stdout.write('README.md: tables updated\n');
}
