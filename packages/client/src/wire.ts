/**
 * The messages of proto/shoal/v1/api.proto as they look in JavaScript when
 * loaded with PROTO_LOADER_OPTIONS (snake_case, int64 as number, enums as
 * their names, defaults filled in). Servers return these shapes from their
 * handlers; proto3 `optional` fields are absent when unset.
 */

export interface ApplyRequest { object_json: string }
export type ApplyResult = 'APPLY_RESULT_UNSPECIFIED' | 'APPLY_RESULT_CREATED' | 'APPLY_RESULT_CONFIGURED' | 'APPLY_RESULT_UNCHANGED';
export interface ApplyResponse { object_json: string; result: ApplyResult }
export interface CreateRequest { object_json: string }
export interface UpdateRequest { object_json: string }
export interface ObjectResponse { object_json: string }

export interface GetRequest { kind: string; namespace: string; name: string; stale: boolean }

export interface ListRequest {
  kind: string;
  namespace: string;
  label_selector: string;
  field_selector: string;
  limit: number;
  continue: string;
  stale: boolean;
}
export interface ListResponse { items_json: string[]; revision: number; continue: string; remaining_item_count: number }

export interface DeleteRequest {
  kind: string;
  namespace: string;
  name: string;
  propagation_policy: string;
  grace_period_seconds?: number;
  precondition_uid: string;
  precondition_resource_version: string;
}
export interface DeleteResponse { object_json: string; pending: boolean }

export interface WatchRequest {
  kind: string;
  namespace: string;
  label_selector: string;
  field_selector: string;
  /** Absent: from the current revision. */
  resource_version?: number;
  allow_bookmarks: boolean;
}
export type WireEventType = 'EVENT_TYPE_UNSPECIFIED' | 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent {
  type: WireEventType;
  object_json: string;
  revision: number;
  error_code: number;
  error_message: string;
}

export interface LogsRequest {
  namespace: string;
  name: string;
  container: string;
  follow: boolean;
  tail_lines?: number;
  previous: boolean;
  timestamps: boolean;
  since_seconds: number;
}
export interface LogChunk { data: Buffer; stream: string }

export interface ExecRequest {
  namespace: string;
  name: string;
  container: string;
  command: string[];
  stdin: Buffer;
  timeout_seconds: number;
}
export interface ExecResponse { stdout: Buffer; stderr: Buffer; exit_code: number }

export interface Member {
  id: string;
  api_address: string;
  gossip_address: string;
  state: string;
  raft_role: string;
  leader: boolean;
  meta: Record<string, string>;
  incarnation: number;
}
export interface MembersResponse { members: Member[] }

export interface RaftProgress { id: string; match: number; next: number; state: string; recent_active: boolean; learner: boolean }
export interface RaftStatusResponse {
  id: string;
  term: number;
  state: string;
  leader_id: string;
  commit_index: number;
  applied_index: number;
  last_index: number;
  snapshot_index: number;
  revision: number;
  progress: RaftProgress[];
  voters: string[];
  learners: string[];
}
export interface LeaderResponse { leader_id: string; leader_api_address: string; term: number }
export interface TransferLeaderRequest { target_id: string }
export interface SnapshotResponse { index: number; term: number; size_bytes: number }
export interface AddNodeRequest { id: string; peer_address: string; api_address: string; voter: boolean }
export interface RemoveNodeRequest { id: string }
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmptyRequest {}
