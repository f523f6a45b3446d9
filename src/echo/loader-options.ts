// How the echo server and the sidecar load the lab's protos (proto-loader's options): as the
// generated types describe them (camelCase, longs as strings, enums as names, defaults filled).
export const LOADER = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true } as const;
