// ESLint (typescript-eslint) for the lab, with the architecture's import boundaries as rules:
//   - the echo server is bundled alone into its image: it imports nothing of the rest of src/
//     (src/util's small helpers, and only types from src/grpc/generated, which are erased); the xDS
//     control plane (src/xds/server) likewise; the agent (src/agent: a swarm's traffic clients and
//     gateway) takes only the traffic engine and the router;
//   - the engine (sandbox, traffic, scenario, run, router, xds, topology, ...) knows no screen: nothing
//     there imports src/cli or src/view;
//   - the traffic engine works against any gRPC cluster: it imports no sandbox, scenario, view or cli;
//   - the sandbox knows containers and registries: it imports nothing of the traffic engine or the
//     agent, not even types (a runtime is container verbs; where clients run and how the lab dials
//     into the sandbox are src/engine's, above both);
//   - outside src/traffic and src/sandbox, those are reached through their index files only.
// Prettier owns the formatting (npm run lint runs both).
import { readdirSync, statSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TOP = readdirSync('src')
  .map((n) => n.replace(/\.tsx?$/, ''))
  .filter((n) => n !== 'echo');
const dirs = (names) => `(${names.join('|')})`;
const up = String.raw`^(\.\./)+`;

/** A no-restricted-imports rule from [regex, message, allowTypeImports?] entries. */
const restrict = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: patterns.map(([regex, message, allowTypeImports = false]) => ({ regex, message, allowTypeImports })) },
  ],
});

const ENGINE = ['sandbox', 'traffic', 'engine', 'scenario', 'run', 'router', 'xds', 'topology', 'doctor', 'grpc', 'util'].filter((d) => {
  try {
    return statSync(`src/${d}`).isDirectory();
  } catch {
    return false;
  }
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/grpc/generated/**', '**/*.generated.ts', '.lab/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        NodeJS: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/echo/**/*.ts'],
    rules: restrict(
      [`${up}grpc/generated/`, 'the echo server is bundled alone: take only types from src/grpc/generated (import type)', true],
      [
        `${up}${dirs(TOP.filter((n) => n !== 'grpc' && n !== 'util' && n !== 'wire'))}(/|\\.js$)`,
        'the echo server is bundled alone into its image: it takes only src/util, src/wire and generated types',
      ],
      [`${up}grpc/(?!generated/)`, 'the echo server is bundled alone into its image: it imports nothing of the rest of src/'],
    ),
  },
  {
    files: ['src/xds/server/**/*.ts'],
    rules: restrict(
      [
        `${up}${dirs(['sandbox', 'scenario', 'traffic', 'view', 'cli', 'router', 'topology', 'doctor', 'echo'])}/`,
        'the xDS control plane is bundled alone into its image: it takes only src/util and generated types',
      ],
      [`${up}grpc/(?!generated/)`, 'the xDS control plane is bundled alone into its image: take only types from src/grpc/generated'],
      [`${up}grpc/generated/`, 'the xDS control plane takes only types from src/grpc/generated (import type)', true],
    ),
  },
  {
    // What writers and readers share on the wire: types and constants, read by bundles that may take nothing else.
    files: ['src/wire/**/*.ts'],
    rules: restrict([`${up}${dirs(TOP.filter((n) => n !== 'wire'))}(/|\\.js$)`, 'src/wire is what writers and readers share: it imports nothing of the lab']),
  },
  {
    files: ['src/agent/**/*.ts'],
    rules: restrict([
      `${up}${dirs(['sandbox', 'scenario', 'view', 'cli', 'doctor', 'echo', 'xds'])}/`,
      'the agent is bundled alone into its image: the traffic engine and the router, nothing of the sandbox, scenarios or screen',
    ]),
  },
  {
    files: ['src/traffic/**/*.ts'],
    rules: restrict([
      `${up}${dirs(['sandbox', 'scenario', 'view', 'cli', 'router', 'xds', 'doctor'])}/`,
      'the traffic engine works against any gRPC cluster: it knows no sandbox, scenario, screen or CLI',
    ]),
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: restrict([
      `${up}${dirs(['scenario', 'view', 'cli', 'router', 'traffic', 'agent', 'engine', 'run'])}/`,
      'the sandbox knows only containers and registries: no scenario, traffic, agent, screen or CLI (where clients run and how the lab dials in are src/engine’s)',
    ]),
  },
  {
    files: ENGINE.filter((d) => !['traffic', 'sandbox'].includes(d)).map((d) => `src/${d}/**/*.ts`),
    // Its own, stricter rule (above): flat config would let this one replace it.
    ignores: ['src/xds/server/**'],
    rules: restrict(
      [`${up}${dirs(['view', 'cli'])}/`, 'the engine emits events and knows no screen: it never imports src/cli or src/view'],
      [`${up}${dirs(['traffic', 'sandbox'])}/(?!index\\.js$)`, 'reach src/traffic and src/sandbox through their index.js (export what you need there)'],
    ),
  },
  {
    files: ['src/cli/**/*.ts', 'src/cli/**/*.tsx', 'src/view/**/*.ts', 'src/view/**/*.tsx', 'src/*.ts'],
    rules: restrict([
      `${up}${dirs(['traffic', 'sandbox'])}/(?!index\\.js$)`,
      'reach src/traffic and src/sandbox through their index.js (export what you need there)',
    ]),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
