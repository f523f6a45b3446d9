// lab schema: the JSON Schema of scenario files, generated from the same zod schema the loader uses.
import type { Command } from 'commander';
import { z } from 'zod';
import { scenarioSchema } from '../../scenario/index.js';
import { printJson } from '../output.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion)')
    .action(() => printJson(z.toJSONSchema(scenarioSchema(), { io: 'input', unrepresentable: 'any' })));
}
