// ESLint (typescript-eslint) for the lab. The architecture's import boundaries are one rule,
// `lab/rooms`, over the data in lint/rooms.js: which room of src/ may import which (the engine knows
// no screen, the traffic engine no sandbox, the sandbox no traffic, a program bundled alone only what
// its image carries), and that an import into another room goes through its index.js.
// docs/architecture.md draws the same data; a unit test keeps the two equal.
// Prettier owns the formatting (npm run lint runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { roomsRule } from './lint/rooms.js';

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
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='AbortSignal'][callee.property.name='any'] CallExpression[callee.object.name='AbortSignal'][callee.property.name='timeout']",
          message:
            'A timeout inside AbortSignal.any() can be garbage-collected before it fires in Node 20 (nodejs/node#57736), and the wait never ends: use deadline() from src/util/deadline.ts.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { lab: { rules: { rooms: roomsRule } } },
    rules: { 'lab/rooms': 'error' },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
