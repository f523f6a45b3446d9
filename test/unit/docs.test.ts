// What users read about the plug-ins comes from the registries: the README's generated tables are
// current, `lab schema` gives every action's argument shape, and --help lists them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { helpLines, withGeneratedTables } from '../../src/cli/docs.js';
import { actionDefinitions } from '../../src/scenario/actions/index.js';
import { scenarioSchema } from '../../src/scenario/schema.js';
import { setupLab } from '../../src/setup.js';
import { balancerOrigin } from '../../src/traffic/index.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

describe('docs from the registries', () => {
  it("the README's generated tables are current (npm run docs)", () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.equal(withGeneratedTables(text), text);
    for (const a of actionDefinitions()) assert.ok(text.includes(`\`${a.example}\``), `the README lists ${a.kind}`);
  });

  it('lab schema gives the argument shape of every action (link: latency, jitter, bandwidth, ...)', () => {
    const schema = z.toJSONSchema(scenarioSchema(), { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { steps: { items: { properties: Record<string, { properties?: Record<string, unknown>; anyOf?: unknown[]; type?: string }> } } };
    };
    const step = schema.properties.steps.items.properties;
    assert.deepEqual(Object.keys(step.link.properties ?? {}).sort(), [
      'bandwidth',
      'blackhole',
      'direction',
      'jitter',
      'latency',
      'reset',
      'slowClose',
      'target',
    ]);
    assert.deepEqual(Object.keys(step.fault.properties ?? {}).sort(), ['code', 'cpuBurn', 'errorRate', 'failN', 'jitter', 'latency', 'ofM', 'target']);
    assert.equal(step.kill.type, 'string');
    for (const a of actionDefinitions()) assert.ok(step[a.kind], `lab schema has ${a.kind}`);
  });

  it('--help lists every action and balancer', () => {
    const actions = helpLines('actions');
    for (const a of actionDefinitions()) assert.match(actions, new RegExp(`^  ${a.kind} `, 'm'));
    assert.match(helpLines('balancers'), /^ {2}wrr_smooth +\(lab\) nginx/m);
    assert.match(helpLines('balancers'), /^ {2}round_robin +\(grpc-js\) /m);
  });
});

describe("the README's CLI block agrees with --help", () => {
  /** Each usage line of the block (with its continuation lines): the command it names and the flags it shows. */
  function readmeUsage(): Map<string, Set<string>> {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /## The CLI\n\n```\n([\s\S]*?)\n```/.exec(text)?.[1];
    assert.ok(block, 'the README has a CLI block');
    const out = new Map<string, Set<string>>();
    let current: Set<string> | undefined;
    for (const line of block.split('\n')) {
      // The usage is what comes before the description (set off by two spaces or more).
      const usage = line.trim().split(/\s{2,}/)[0];
      if (/^lab( |$)/.test(line)) {
        const words = usage.trim().split(/\s+/).slice(1);
        const name = words.filter((w, i) => /^[a-z][a-z-]*$/.test(w) && words.slice(0, i).every((x) => /^[a-z][a-z-]*$/.test(x))).join(' ');
        if (name === '' && /--help/.test(usage)) {
          current = undefined;
          continue;
        }
        current = out.get(name) ?? new Set();
        out.set(name, current);
      } else if (/^\s{1,20}\[/.test(line)) {
        /* a continuation of the usage above */
      } else {
        current = /^-/.test(line) ? (out.get('(global)') ?? new Set()) : current;
        if (/^-/.test(line)) out.set('(global)', current!);
        else continue;
      }
      for (const m of usage.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)) current?.add(m[1]);
    }
    return out;
  }

  it('every command and every flag in the block is one --help has, and every flag --help has is in the block', async () => {
    const { buildProgram } = await import('../../src/cli/program.js');
    const program = buildProgram();
    const usage = readmeUsage();
    /** Each option as its spellings (-t, --target); -h/--help and -V/--version are commander's own. */
    type Opt = string[];
    const optsOf = (cmd: { options: readonly { short?: string; long?: string }[] }): Opt[] =>
      cmd.options.map((o) => [o.short, o.long].filter((f): f is string => !!f)).filter((o) => !o.some((f) => ['--help', '--version'].includes(f)));
    const commands = new Map<string, Opt[]>();
    const walk = (cmd: typeof program, prefix: string) => {
      for (const sub of cmd.commands) {
        const name = `${prefix}${sub.name()}`;
        if (sub.commands.length) walk(sub, `${name} `);
        else commands.set(name, optsOf(sub));
      }
    };
    walk(program, '');
    commands.set('', []);
    const check = (name: string, opts: Opt[], shown: Set<string>) => {
      const known = new Set(opts.flat());
      assert.deepEqual(
        [...shown].filter((f) => !known.has(f)),
        [],
        `lab ${name}: in the README, not in --help`,
      );
      assert.deepEqual(
        opts.filter((o) => !o.some((f) => shown.has(f))).map((o) => o.join(', ')),
        [],
        `lab ${name}: in --help, not in the README`,
      );
    };
    check('(global)', optsOf(program), usage.get('(global)') ?? new Set());
    usage.delete('(global)');
    assert.deepEqual([...usage.keys()].sort(), [...commands.keys()].sort(), 'the commands');
    for (const [name, opts] of commands) check(name, opts, usage.get(name)!);
  });
});

describe('the library says where its balancers come from, and which gRFCs it shows', () => {
  const dir = path.join(ROOT, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  /** Every balancer a scenario's clients name (in a name or a service config, children included). */
  const namesIn = (lb: unknown): string[] =>
    typeof lb === 'string'
      ? [lb]
      : Array.isArray(lb)
        ? lb.flatMap(namesIn)
        : lb && typeof lb === 'object'
          ? Object.entries(lb).flatMap(([k, v]) => (k === 'methodConfig' ? [] : [...(balancerOrigin(k) ? [k] : []), ...namesIn(v)]))
          : [];

  it("a scenario whose clients use one of the lab's own balancers says so in its header comment", () => {
    for (const f of files) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      const head = text
        .split('\n')
        .filter((l, i, all) => l.startsWith('#') && all.slice(0, i).every((x) => x.startsWith('#')))
        .join('\n');
      const doc = parse(text) as { clients?: Record<string, { lb?: unknown }> };
      const own = [...new Set(Object.values(doc.clients ?? {}).flatMap((c) => namesIn(c.lb)))].filter((n) => balancerOrigin(n) === 'lab');
      for (const n of own) {
        assert.ok(head.includes(n), `${f}: its header names ${n}`);
        assert.match(head, /the lab's own/, `${f}: its header says ${n} is the lab's own`);
      }
    }
  });

  it('the README maps at least 15 gRFCs, each to library scenarios that exist and name it', () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const rows = /<!-- generated:grfc -->\n([\s\S]*?)<!-- \/generated:grfc -->/
      .exec(text)![1]
      .split('\n')
      .filter((l) => /^\| A\d+ /.test(l));
    assert.ok(rows.length >= 15, `${rows.length} gRFCs`);
    for (const row of rows) {
      const id = /^\| (A\d+) /.exec(row)![1];
      const shown = [...row.matchAll(/`([\w-]+\.yaml)`/g)].map((m) => m[1]);
      assert.ok(shown.length, id);
      for (const f of shown) assert.ok((parse(readFileSync(path.join(dir, f), 'utf8')) as { grfc?: string[] }).grfc?.includes(id), `${f} names ${id}`);
    }
  });
});

describe("the README's library table", () => {
  it('lists every scenario in scenarios/, and nothing else, and says how many there are', () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const files = readdirSync(path.join(ROOT, 'scenarios'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const table = /### The library \(`scenarios\/`\)[\s\S]*?\n\n(\| file \|[\s\S]*?)\n\n/.exec(text)![1];
    const listed = [...table.matchAll(/^\| `([\w-]+\.yaml)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(listed, files);
    assert.match(text, new RegExp(`\`scenarios/\` holds ${files.length} stories`));
  });
});
