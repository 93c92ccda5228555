/** AdminService: membership, Raft status, leadership and configuration changes. */
import type * as grpc from '@grpc/grpc-js';
import type { wire } from '@shoal/client';
import { ConfChangeType, type RaftNode } from '@shoal/raft';
import type { ObjectStore } from '@shoal/state';
import { BadRequestError, NodeUnavailableError, RefusedError } from './errors.js';
import { unary } from './handlers.js';
import type { ApiContext } from './context.js';

export interface MemberView {
  id: string;
  apiAddress: string;
  gossipAddress: string;
  state: string;
  incarnation: number;
  meta: Record<string, string>;
}

export interface AdminDeps {
  raft: RaftNode;
  store: ObjectStore;
  /** Gossip's members, this node included. */
  members: () => MemberView[];
  apiAddressOf: (id: string) => string | undefined;
  addPeer: (id: string, address: string) => void;
  /** Take a snapshot now; resolves with its index, term and size. */
  snapshot: () => Promise<{ index: number; term: number; sizeBytes: number }>;
}

export function adminService(ctx: ApiContext, d: AdminDeps): grpc.UntypedServiceImplementation {
  const membersResponse = (): wire.MembersResponse => {
    const st = d.raft.status();
    const role = (id: string) => (st.conf.voters.includes(id) ? 'voter' : st.conf.learners.includes(id) ? 'learner' : 'none');
    const seen = new Set<string>();
    const members: wire.Member[] = d.members().map((m) => {
      seen.add(m.id);
      return { id: m.id, api_address: m.apiAddress, gossip_address: m.gossipAddress, state: m.state, raft_role: role(m.id), leader: st.leader === m.id, meta: m.meta, incarnation: m.incarnation };
    });
    // Raft members gossip has not heard of (yet): still list them.
    for (const id of [...st.conf.voters, ...st.conf.learners]) {
      if (!seen.has(id)) members.push({ id, api_address: d.apiAddressOf(id) ?? '', gossip_address: '', state: 'unknown', raft_role: role(id), leader: st.leader === id, meta: {}, incarnation: 0 });
    }
    members.sort((a, b) => a.id.localeCompare(b.id));
    return { members };
  };

  const requireLeader = () => {
    const st = d.raft.status();
    if (st.role !== 'leader') {
      const addr = st.leader ? d.apiAddressOf(st.leader) : undefined;
      throw new NodeUnavailableError(st.leader ? `not the leader; ${st.leader} leads` : 'no leader is known', addr);
    }
    return st;
  };

  return {
    Members: unary(ctx, 'Members', async () => membersResponse()),

    RaftStatus: unary(ctx, 'RaftStatus', async (): Promise<wire.RaftStatusResponse> => {
      const st = d.raft.status();
      const progress = Object.entries((st as { progress?: Record<string, { match: number; next: number; state: string }> }).progress ?? {}).map(([id, p]) => ({
        id, match: p.match, next: p.next, state: p.state, recent_active: true, learner: st.conf.learners.includes(id),
      }));
      return {
        id: st.id, term: st.term, state: st.role, leader_id: st.leader, commit_index: st.commit, applied_index: st.applied,
        last_index: Math.max(st.commit, st.applied), snapshot_index: st.snapshotIndex, revision: d.store.revision,
        progress, voters: st.conf.voters, learners: st.conf.learners,
      };
    }),

    Leader: unary(ctx, 'Leader', async (): Promise<wire.LeaderResponse> => {
      const st = d.raft.status();
      if (!st.leader) throw new NodeUnavailableError('no leader is known');
      return { leader_id: st.leader, leader_api_address: d.apiAddressOf(st.leader) ?? '', term: st.term };
    }),

    TransferLeader: unary(ctx, 'TransferLeader', async (req: wire.TransferLeaderRequest): Promise<wire.LeaderResponse> => {
      const st = requireLeader();
      let target = req.target_id;
      if (!target) {
        const progress = (st as { progress?: Record<string, { match: number }> }).progress ?? {};
        target = st.conf.voters.filter((v) => v !== st.id).sort((a, b) => (progress[b]?.match ?? 0) - (progress[a]?.match ?? 0))[0] ?? '';
        if (!target) throw new BadRequestError('target_id', 'no other voter to hand leadership to');
      } else if (!st.conf.voters.includes(target)) {
        throw new RefusedError('Conflict', `${target} is not a voter (voters: ${st.conf.voters.join(', ')})`);
      }
      await d.raft.transferLeadership(target);
      const now = d.raft.status();
      return { leader_id: now.leader, leader_api_address: d.apiAddressOf(now.leader) ?? '', term: now.term };
    }),

    Snapshot: unary(ctx, 'Snapshot', async (): Promise<wire.SnapshotResponse> => {
      const s = await d.snapshot();
      return { index: s.index, term: s.term, size_bytes: s.sizeBytes };
    }),

    AddNode: unary(ctx, 'AddNode', async (req: wire.AddNodeRequest) => {
      if (!req.id) throw new BadRequestError('id', 'required');
      if (!/^[^:]+:\d+$/.test(req.peer_address)) throw new BadRequestError('peer_address', `must be host:port, got ${JSON.stringify(req.peer_address)}`);
      const st = requireLeader();
      if (st.conf.voters.includes(req.id) || st.conf.learners.includes(req.id)) {
        throw new RefusedError('AlreadyExists', `${req.id} is already a member`);
      }
      d.addPeer(req.id, req.peer_address);
      await d.raft.proposeConfChange({ type: ConfChangeType.AddLearner, node: req.id });
      if (req.voter) await d.raft.proposeConfChange({ type: ConfChangeType.PromoteLearner, node: req.id });
      return membersResponse();
    }),

    RemoveNode: unary(ctx, 'RemoveNode', async (req: wire.RemoveNodeRequest) => {
      if (!req.id) throw new BadRequestError('id', 'required');
      const st = requireLeader();
      const isVoter = st.conf.voters.includes(req.id);
      if (!isVoter && !st.conf.learners.includes(req.id)) {
        throw new RefusedError('NotFound', `${req.id} is not a member`);
      }
      if (isVoter && st.conf.voters.length <= 1) {
        throw new RefusedError('Conflict', `removing ${req.id} would leave no voter`);
      }
      await d.raft.proposeConfChange({ type: ConfChangeType.RemoveNode, node: req.id });
      return membersResponse();
    }),
  };
}
