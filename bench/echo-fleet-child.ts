// N echo servers in one process (for bench/view.ts): prints their addresses as JSON, serves until
// stdin closes. Usage: node --import tsx bench/echo-fleet-child.ts N
import { startFleet } from '../test/helpers/echo-fleet.js';

const fleet = await startFleet(Number(process.argv[2] ?? 30));
process.stdout.write(`${JSON.stringify(fleet.servers.map((s) => s.address))}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fleet.stop().then(() => process.exit(0)));
