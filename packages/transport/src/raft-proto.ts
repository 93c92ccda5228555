/**
 * The RaftPeer gRPC service definition loaded from proto/shoal/v1/raft.proto,
 * and the frame shapes as proto-loader hands them over (bytes as Buffer,
 * uint64 as string).
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const RAFT_PROTO_PATH = fileURLToPath(new URL('../../../proto/shoal/v1/raft.proto', import.meta.url));

export interface WireSnapshotChunk {
  snapshotId: string;
  header: Uint8Array;
  data: Uint8Array;
  last: boolean;
}

export interface WireFrame {
  clusterId: string;
  from: string;
  messages: Uint8Array[];
  snapshotChunk?: WireSnapshotChunk | null;
}

export interface WireAck {
  snapshotId: string;
  snapshotOk: boolean;
}

let cached: grpc.ServiceClientConstructor | undefined;

/** The generated client constructor; its `.service` is the server definition. */
export function raftPeerService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const def = protoLoader.loadSync(RAFT_PROTO_PATH, { longs: String, defaults: true, oneofs: false });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { shoal: { v1: { RaftPeer: grpc.ServiceClientConstructor } } };
  cached = pkg.shoal.v1.RaftPeer;
  return cached;
}
