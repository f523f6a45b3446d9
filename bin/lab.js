#!/usr/bin/env node
// The `lab` command: runs the built CLI (npm run build writes dist/cli/main.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// grpc-js's dns: resolver honours a DNS server in the target (dns://127.77.0.3:8600/name:port, Consul's
// DNS interface) only with this set before grpc-js loads. Names then resolve through DNS, not
// /etc/hosts: give clients IP addresses (the lab's targets are loopback IPs, etcd:, consul:, dns:).
process.env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER ??= 'true';

// xDS clients (@grpc/grpc-js-xds) take weighted_round_robin from a control plane only with this
// set before they load (grpc-js-xds 1.14 keeps it experimental).
process.env.GRPC_EXPERIMENTAL_XDS_WRR_LB ??= 'true';

// React's production build for the terminal UI: the development one costs twice the CPU per frame.
process.env.NODE_ENV ??= 'production';

// NO_COLOR (no-color.org): the terminal UI's colours come from chalk, which reads FORCE_COLOR only.
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('✖ the lab is not built yet.\n  → Run: npm run build (or bash scripts/setup.sh)\n');
  process.exit(3);
}
await import(cli);
