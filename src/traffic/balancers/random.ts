// random: every READY backend equally likely.
import { definePolicy } from './endpoint-balancer.js';

export const random = definePolicy(
  { name: 'random', description: 'every READY backend equally likely', keys: [] },
  () => ({}),
  () => ({
    choose: (ready) => Math.floor(Math.random() * ready.length),
  }),
);

export const setup = random.setup;
