/**
 * The server side of api.proto as TypeScript types: a daemon implements
 * these and registers them with
 *   server.addService(loadShoalProto().ObjectService.service, handlers)
 * Unary handlers answer once through the callback (errors built with
 * shoalStatusError); Watch and Logs write messages and end, or emit an
 * error status.
 */
import type { handleServerStreamingCall, handleUnaryCall } from '@grpc/grpc-js';
import type * as W from './wire.js';

export interface ObjectServiceHandlers {
  Apply: handleUnaryCall<W.ApplyRequest, W.ApplyResponse>;
  Create: handleUnaryCall<W.CreateRequest, W.ObjectResponse>;
  Get: handleUnaryCall<W.GetRequest, W.ObjectResponse>;
  List: handleUnaryCall<W.ListRequest, W.ListResponse>;
  Update: handleUnaryCall<W.UpdateRequest, W.ObjectResponse>;
  UpdateStatus: handleUnaryCall<W.UpdateRequest, W.ObjectResponse>;
  Delete: handleUnaryCall<W.DeleteRequest, W.DeleteResponse>;
  Watch: handleServerStreamingCall<W.WatchRequest, W.WatchEvent>;
}

export interface PodServiceHandlers {
  Logs: handleServerStreamingCall<W.LogsRequest, W.LogChunk>;
  Exec: handleUnaryCall<W.ExecRequest, W.ExecResponse>;
}

export interface AdminServiceHandlers {
  Members: handleUnaryCall<W.EmptyRequest, W.MembersResponse>;
  RaftStatus: handleUnaryCall<W.EmptyRequest, W.RaftStatusResponse>;
  Leader: handleUnaryCall<W.EmptyRequest, W.LeaderResponse>;
  TransferLeader: handleUnaryCall<W.TransferLeaderRequest, W.LeaderResponse>;
  Snapshot: handleUnaryCall<W.EmptyRequest, W.SnapshotResponse>;
  AddNode: handleUnaryCall<W.AddNodeRequest, W.MembersResponse>;
  RemoveNode: handleUnaryCall<W.RemoveNodeRequest, W.MembersResponse>;
}
