// A test topology with one of the example servers of yours (examples/servers/go or python) beside
// a single echo server: the own-server suites and bench:sidecar bring it up under their project.
import path from 'node:path';
import { ROOT, testTopologyFile } from './lab.js';

const EXAMPLES = {
  // grpc-go with its health service, put in an image from the binary build.sh makes.
  go: {
    image: 'examples/greeter-go',
    command: ['--listen', ':50051'],
    lab: { binary: path.join(ROOT, 'examples/servers/go/bin/greeter_server'), health: 'grpc' },
  },
  // python3-grpcio with no health service, in the image build.sh assembles.
  python: { image: 'examples/greeter-py:1', command: ['--listen', '0.0.0.0:50051'], lab: { health: 'tcp' } },
};

/** The default topology (one echo server) with `replicas` of the example server as `greeter`, at 127.<octet>.3.{n}. */
export function serverTopologyFile(project: string, octet: number, example: keyof typeof EXAMPLES, replicas: number): string {
  const { image, command, lab } = EXAMPLES[example];
  return testTopologyFile(project, octet, (doc) => {
    doc.setIn(['services', 'echo', 'deploy', 'replicas'], 1);
    doc.setIn(['services', 'greeter'], {
      image,
      command,
      deploy: { replicas },
      'x-lab': { role: 'server', ...lab, port: 50051, address: `127.${octet}.3.{n}` },
    });
  });
}
