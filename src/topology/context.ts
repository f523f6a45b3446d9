// What the roles' parts of a topology parse share: the file, where to point an error, the overrides.
import { FileError } from '../errors.js';
import type { TopologyFile, Role, ServiceFile } from './schema.js';
import type { PortSpec } from './types.js';
import { parsePort } from './instance.js';
import type { YamlPositions } from '../util/yaml-positions.js';

export interface TopologyOverrides {
  /** Number of echo servers (lab up --echo N, a scenario's sandbox.echo). */
  echo?: number;
  /** Members of the etcd cluster (a scenario's sandbox.etcd): 1, 3 or 5. */
  etcd?: number;
  /** Run the proxy service (HAProxy) even when the file does not enable it (lab up --proxy). */
  proxy?: boolean;
  /** Run the xDS control plane even when the file does not enable it (lab up --xds, a scenario's sandbox.xds). */
  xds?: boolean;
  pull?: boolean;
  /** The echo servers close each connection after this long (a GOAWAY; gRFC A9's max_connection_age), a scenario's sandbox.maxConnectionAge. */
  maxConnectionAgeMs?: number;
  /** Where the sandbox runs (lab --engine, LAB_ENGINE; else the file's x-lab.engine). */
  engine?: Engine;
}

export type Engine = 'docker' | 'swarm';

export class TopologyContext {
  readonly byRole = new Map<Role, [string, ServiceFile]>();

  constructor(
    readonly file: string,
    readonly value: TopologyFile,
    private readonly positions: YamlPositions,
    readonly overrides: TopologyOverrides,
  ) {}

  get pull(): boolean {
    return this.overrides.pull ?? this.value['x-lab'].pull;
  }

  fail(path: PropertyKey[], msg: string): FileError {
    return new FileError(this.positions.at(path), msg);
  }

  /** The service of a role: [name, service]. */
  role(role: Role): [string, ServiceFile] | undefined {
    return this.byRole.get(role);
  }

  /** A service's published ports, each checked (loopback only). */
  ports(name: string, svc: ServiceFile): PortSpec[] {
    return (svc.ports ?? []).map((p, i) => parsePort(p, `services.${name}.ports[${i}]`, (msg) => this.fail(['services', name, 'ports', i], msg)));
  }
}
