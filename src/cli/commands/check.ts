// lab check [FILE|FOLDER...] [--json]: every check `lab play` makes before it starts anything (the
// file's YAML and schema, names against the sandbox it would run on, service configs, metadata,
// targets, durations, expectations that can hold), with nothing started and no Docker needed.
// Without arguments: the project's scenario library. Exit 0 when every file passes, 2 otherwise.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, FileError, InputError, LabError } from '../../errors.js';
import { loadScenario, explainLines } from '../../scenario/index.js';
import { RunContext } from '../../run/index.js';
import { libraryDir } from '../../util/project.js';
import { topologyFileOf, type GlobalOptions } from '../context.js';
import { c, printJson } from '../output.js';

export type CheckResult =
  | { file: string; ok: true; name: string; clients: number; steps: number; durationMs: number }
  | { file: string; ok: false; error: string; line?: number; column?: number; hint?: string };

/** The files an argument names: a file as it is, a folder's .yaml files (sorted). */
function filesOf(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let dir = false;
    try {
      dir = statSync(a).isDirectory();
    } catch {
      // not there: loadScenario says so, for this file
    }
    if (!dir) out.push(a);
    else {
      let names: string[];
      try {
        names = readdirSync(a);
      } catch (err) {
        throw new InputError(`cannot read the folder ${a}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      out.push(
        ...names
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(a, f)),
      );
    }
  }
  return out;
}

export function checkFiles(files: string[], topologyFile: string, shape = RunContext.open({ topologyFile }).shape): CheckResult[] {
  return files.map((file): CheckResult => {
    try {
      const s = loadScenario(file, shape);
      return { file: s.file, ok: true, name: s.name, clients: s.clients.length + s.observed.length, steps: s.steps.length, durationMs: s.durationMs };
    } catch (err) {
      if (!(err instanceof LabError)) throw err;
      const at = err instanceof FileError ? { line: err.position.line, column: err.position.column } : {};
      return { file, ok: false, error: err.message, ...at, ...(err.hint ? { hint: err.hint } : {}) };
    }
  });
}

/** The model behind each file's check, as lines (or, with --json, the plans per expectation). */
function explain(files: string[], topologyFile: string, json: boolean): void {
  const { shape } = RunContext.open({ topologyFile });
  const results = checkFiles(files, topologyFile, shape);
  const out: unknown[] = [];
  for (const [i, r] of results.entries()) {
    if (!r.ok) {
      if (json) out.push(r);
      else process.stdout.write(`${c.red('✖')} ${r.error}\n${r.hint ? `  ${c.yellow('→')} ${r.hint}\n` : ''}`);
      continue;
    }
    const s = loadScenario(files[i], shape);
    if (json) out.push({ ...r, expectations: [...s.plans.values()].map(({ hold: _hold, ...p }) => p) });
    else process.stdout.write(`${explainLines(s, shape(s.sandbox)).join('\n')}\n\n`);
  }
  if (json) printJson({ ok: results.every((r) => r.ok), results: out });
  if (results.some((r) => !r.ok)) process.exitCode = EXIT.input;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .argument('[files...]', 'scenario files or folders of them (default: the scenario library)')
    .description('check scenario files as lab play would, starting nothing: file:line:column for every problem')
    .option('--json', 'print the results as JSON')
    .option('--explain', 'also print the model each file is checked on: the sandbox after every step, and the windows each expectation is judged on')
    .action((args: string[], opts: { json?: boolean; explain?: boolean }, cmd: Command) => {
      const topologyFile = topologyFileOf(cmd.optsWithGlobals<GlobalOptions>());
      const files = filesOf(args.length ? args : [libraryDir()]);
      if (opts.explain) return explain(files, topologyFile, !!opts.json);
      if (!files.length)
        throw new InputError(`no scenario files in ${args.join(', ') || libraryDir()}`, { hint: 'Name a .yaml file: lab check scenarios/tour.yaml' });
      const { shape } = RunContext.open({ topologyFile });
      const results = checkFiles(files, topologyFile, shape);
      const refused = results.filter((r) => !r.ok).length;
      if (opts.json) printJson({ ok: refused === 0, files: results.length, refused, results });
      else {
        for (const r of results) {
          if (r.ok)
            process.stdout.write(`${c.green('✔')} ${r.file} ${c.dim(`· ${r.name}: ${r.clients} client(s), ${r.steps} step(s), ${r.durationMs / 1000} s`)}\n`);
          else {
            process.stdout.write(`${c.red('✖')} ${r.error}\n`);
            if (r.hint) process.stdout.write(`  ${c.yellow('→')} ${r.hint}\n`);
          }
        }
        if (results.length > 1) process.stdout.write(`${results.length} file(s): ${results.length - refused} ok, ${refused} refused\n`);
      }
      if (refused) process.exitCode = EXIT.input;
    });
}
