// The lab's architecture as data: the rooms of src/, what each may import, and why not the rest.
// eslint.config.js turns it into the `lab/rooms` rule (below); docs/architecture.md draws it, and a
// unit test (test/unit/architecture.test.ts) fails when the page and this file disagree.
//
// A room is a folder of src/ (or one of its top files: errors, setup). An import from one room into
// another must be allowed here (`may`; `types` allows only type imports, which are erased) and go
// through the room's door, its index.ts. Two exceptions, each with its reason: src/util is a shelf of
// one-job helpers that a program bundled alone takes file by file (an index would pull every helper's
// packages into every image), and src/grpc/generated is proto-loader's generated types, read as types.
import path from 'node:path';

/** @typedef {{ is: string, program?: boolean, may: string[], types?: string[], why: string }} Room */

/** @type {Record<string, Room>} */
export const ROOMS = {
  cli: {
    is: 'the `lab` program: commander commands, error rendering, progress',
    program: true,
    may: [
      'errors',
      'setup',
      'util',
      'wire',
      'topology',
      'sandbox',
      'engine',
      'traffic',
      'scenario',
      'report',
      'run',
      'router',
      'xds',
      'interop',
      'doctor',
      'view',
    ],
    why: 'the CLI is the top: it may use every room, and no room uses it',
  },
  view: {
    is: 'the rebalance view: a pure reducer and layout under ink components',
    may: ['errors', 'util', 'wire', 'grpc', 'topology', 'sandbox', 'traffic', 'scenario', 'report', 'run', 'xds'],
    why: 'the view shows what the engine emits; only the CLI opens it',
  },
  run: {
    is: 'where a run is put together, once: the run context (topology, engine, clients, xDS watcher, undo session, clock)',
    may: ['errors', 'util', 'topology', 'sandbox', 'engine', 'traffic', 'scenario', 'xds'],
    why: 'the run knows no screen: nothing below the CLI and the view imports src/cli or src/view',
  },
  report: {
    is: 'a played run on disk: report.md, report.html, result.json, charts, comparisons',
    may: ['errors', 'util', 'wire', 'traffic', 'scenario', 'xds'],
    why: 'a report is written from a result and read back from disk: it runs nothing and knows no screen',
  },
  scenario: {
    is: 'scenarios: schema, load with positions, the timeline model, actions and expectations (registries), the player, verdicts',
    may: ['errors', 'util', 'wire', 'grpc', 'topology', 'sandbox', 'traffic', 'router', 'xds'],
    types: ['run'],
    why: 'the scenario engine emits events and knows no screen: it never imports src/cli or src/view',
  },
  engine: {
    is: 'the engine a topology names: { runtime, reach, clients } (one Docker engine, or a swarm with agents)',
    may: ['errors', 'util', 'wire', 'topology', 'sandbox', 'traffic'],
    why: 'the engine sits above the sandbox and the traffic engine and joins them; it runs no scenario',
  },
  doctor: {
    is: '`lab doctor`: what this machine has and lacks',
    may: ['errors', 'util', 'topology', 'sandbox'],
    why: 'the doctor checks the machine; it runs no traffic',
  },
  interop: {
    is: "grpc's xDS interop test client (`lab xds test-client`): stats and configure services",
    may: ['errors', 'util', 'grpc', 'generated', 'traffic'],
    why: 'the interop client speaks grpc.testing; it knows no sandbox',
  },
  xds: {
    is: "the lab's side of its xDS control plane: the XdsControl client, the watcher, bootstraps",
    may: ['errors', 'util', 'wire', 'grpc', 'generated', 'traffic'],
    types: ['topology'],
    why: 'the xDS client side talks to the control plane over gRPC; it imports none of the control plane',
  },
  router: {
    is: "the lab's gRPC router: HTTP/2 routed by :path, frames passed undecoded",
    may: ['errors', 'util', 'wire', 'traffic', 'h2'],
    why: 'the router is a proxy that the agent bundles: it takes the traffic engine, HTTP/2 and the wire facts only',
  },
  h2: {
    is: 'HTTP/2 at the frame level: frames, HPACK, a connection, a call relayed undecoded, gRPC faults per method',
    may: ['wire'],
    why: 'the router and the sidecar of a server of yours both relay with it, each bundled into an image: it takes only the wire facts',
  },
  sandbox: {
    is: 'Docker: the runtime contract (container verbs), images, registries, up/down/status, a swarm runtime',
    may: ['errors', 'util', 'wire', 'grpc', 'topology'],
    why: 'the sandbox knows only containers and registries: no scenario, traffic, agent, screen or CLI (where clients run and how the lab dials in are src/engine’s)',
  },
  traffic: {
    is: 'the traffic engine: resolvers, balancers, the driver; works against any gRPC cluster',
    may: ['errors', 'util', 'wire', 'grpc', 'generated'],
    types: ['topology'],
    why: 'the traffic engine works against any gRPC cluster: it knows no sandbox, scenario, screen or CLI',
  },
  topology: {
    is: 'the topology: compose/lab.yaml loaded, validated and planned into instances',
    may: ['errors', 'util', 'traffic'],
    why: 'the topology is a file and its plan: it starts nothing',
  },
  grpc: {
    is: 'host-side gRPC clients of the lab’s own services (echo, control, health) and the proto loader',
    may: ['util', 'generated'],
    why: 'the lab’s gRPC clients know only their protos',
  },
  echo: {
    is: 'the echo server program, and the sidecar of a server the lab did not write, each bundled alone into the lab/echo image',
    program: true,
    may: ['util', 'wire', 'h2'],
    types: ['generated'],
    why: 'the echo server and the sidecar are bundled alone into their image: they take only src/util, src/wire, src/h2 (the sidecar relays calls with it) and generated types',
  },
  'control-plane': {
    is: 'the xDS control plane program (ADS, LRS, XdsControl), bundled alone into the lab/xds image',
    program: true,
    may: ['util', 'wire'],
    types: ['generated'],
    why: 'the xDS control plane is bundled alone into its image: it takes only src/util, src/wire and generated types',
  },
  agent: {
    is: "the agent program (a swarm's traffic clients and its gateway), bundled alone into the lab/agent image",
    program: true,
    may: ['util', 'wire', 'traffic', 'router'],
    why: 'the agent is bundled alone into its image: the traffic engine and the router, nothing of the sandbox, scenarios or screen',
  },
  wire: {
    is: 'what writers and readers share on the wire: the etcd record, Consul Meta, the xDS policy, the agent protocol, fault shapes, status names, the x-lab- metadata keys',
    may: [],
    why: 'src/wire is what writers and readers share: it imports nothing of the lab',
  },
  util: {
    is: 'a shelf of one-job helpers (units, durations, YAML positions, backoff, etcd client, logging)',
    may: ['errors'],
    why: 'src/util is a shelf under everything: it imports only src/errors.ts',
  },
  errors: { is: 'src/errors.ts: the typed errors, each with a hint', may: [], why: 'the errors are the floor: they import nothing of the lab' },
  setup: {
    is: "src/setup.ts: registers every plug-in, once (grpc-js's model)",
    may: ['sandbox', 'traffic', 'scenario'],
    why: 'setup registers plug-ins and imports only the rooms that own registries',
  },
  generated: { is: 'src/grpc/generated: types generated from the protos', may: ['generated'], why: 'generated code' },
};

/** Rooms reached file by file instead of through an index, with why. */
export const NO_DOOR = {
  util: 'a shelf of one-job helpers: a program bundled alone takes only the files it uses',
  generated: 'generated types, one file per message',
  errors: 'one file',
  setup: 'one file',
};

/** The room a path under src/ belongs to ('generated' for src/grpc/generated), or undefined outside src/. */
export function roomOf(file, srcDir) {
  const rel = path.relative(srcDir, file).split(path.sep);
  if (rel[0] === '..' || rel[0] === '') return undefined;
  if (rel[0] === 'grpc' && rel[1] === 'generated') return 'generated';
  return rel.length === 1 ? rel[0].replace(/\.(ts|tsx|js)$/, '') : rel[0];
}

const isIndex = (target, room, srcDir) => path.relative(path.join(srcDir, room), target).replace(/\.(ts|js)$/, '') === 'index';

/** The ESLint rule: an import into another room must be allowed by ROOMS and go through its door. */
export const roomsRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports between the rooms of src/ follow lint/rooms.js' } },
  create(context) {
    const file = context.filename;
    const srcDir = path.join(context.cwd, 'src');
    const from = roomOf(file, srcDir);
    if (!from || !ROOMS[from]) return {};
    const check = (node, source, typeOnly) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source.value);
      const to = roomOf(target, srcDir);
      if (!to || to === from) return;
      const room = ROOMS[from];
      const allowed = room.may.includes(to) || (typeOnly && (room.types ?? []).includes(to));
      if (!allowed) {
        const typesOnly = !typeOnly && (room.types ?? []).includes(to) ? ' (only types: use import type)' : '';
        const why = ROOMS[to]?.program ? `src/${to} is a program: it is entered, not imported` : room.why;
        context.report({ node, message: `src/${from} may not import src/${to}${typesOnly}: ${why} (lint/rooms.js)` });
        return;
      }
      if (!(to in NO_DOOR) && !isIndex(target, to, srcDir)) {
        context.report({ node, message: `reach src/${to} through its door, src/${to}/index.js (export what you need there)` });
      }
    };
    const typeOnlyImport = (node) => node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
    const typeOnlyExport = (node) => node.exportKind === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.exportKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, typeOnlyExport(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
    };
  },
};
