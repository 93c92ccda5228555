export * from './grpc-transport.js';
export * from './options.js';
export { RAFT_PROTO_PATH } from './raft-proto.js';
