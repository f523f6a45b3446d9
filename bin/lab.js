#!/usr/bin/env node
// The `lab` command: runs the built CLI (npm run build writes dist/cli/main.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('✖ the lab is not built yet.\n  → Run: npm run build (or bash scripts/setup.sh)\n');
  process.exit(1);
}
await import(cli);
