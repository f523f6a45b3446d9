// The addresses in front of every echo server (HAProxy's frontends, the router): a client that
// dials one reaches them all.
import type { Topology } from '../../topology/index.js';
import type { Fronts } from './reach.js';

export function frontsOf(t: Topology): Fronts {
  return { all: [t.proxy?.l4, t.proxy?.l7, t.router].filter((a): a is string => !!a) };
}
