/**
 * Loads the Shoal API definitions from proto/ at the repository root. The
 * daemon (server side) and this client (client side) both load through here,
 * so they always agree on loader options.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Options every Shoal party uses: snake_case names, int64 as Number, enums as names. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The client-facing API file, relative to the proto root. */
export const API_PROTO_FILE = 'shoal/v1/api.proto';

/**
 * The proto root: `SHOAL_PROTO_DIR` if set, else the nearest `proto/` folder
 * holding the API file, walking up from this module (src/ or dist/).
 */
export function protoDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['SHOAL_PROTO_DIR'];
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, API_PROTO_FILE))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find proto/${API_PROTO_FILE} above ${fileURLToPath(import.meta.url)}; set SHOAL_PROTO_DIR`);
    dir = parent;
  }
}

/** The loaded package `shoal.v1`: service constructors (clients) and their definitions (servers). */
export interface ShoalProto {
  ObjectService: grpc.ServiceClientConstructor;
  PodService: grpc.ServiceClientConstructor;
  AdminService: grpc.ServiceClientConstructor;
}

let cached: ShoalProto | undefined;

/**
 * Load `shoal.v1` once per process. Servers register
 * `proto.ObjectService.service` etc. with `server.addService`.
 */
export function loadShoalProto(): ShoalProto {
  if (cached) return cached;
  const dir = protoDir();
  const def = protoLoader.loadSync(API_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [dir] });
  const root = grpc.loadPackageDefinition(def);
  const pkg = (root['shoal'] as grpc.GrpcObject)['v1'] as grpc.GrpcObject;
  cached = {
    ObjectService: pkg['ObjectService'] as grpc.ServiceClientConstructor,
    PodService: pkg['PodService'] as grpc.ServiceClientConstructor,
    AdminService: pkg['AdminService'] as grpc.ServiceClientConstructor,
  };
  return cached;
}

/** The raw package definition (for server reflection). */
export function loadShoalPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(API_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir()] });
}
