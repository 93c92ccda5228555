// The Ready / advance cycle the node driver relies on.
import t from 'tap';
import { ConfChangeType, EntryType, MessageType, Role, type Ready } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { RawNode } from '../../src/core/raw-node.js';
import { decodeConfChange } from '../../src/core/conf-change.js';
import { SeededRand } from '../../src/sim/prng.js';
import { makeMessage, persistPlan } from '../../src/core/message.js';

function node(id: string, storage: MemoryStorage, applied = 0) {
  return new RawNode({ id, storage, rand: new SeededRand(1), electionTick: 10, heartbeatTick: 1, applied });
}

const voteResp = (from: string, term: number, type = MessageType.VoteResp) => makeMessage({ type, from, to: 'n1', term });
const appResp = (from: string, term: number, index: number) => makeMessage({ type: MessageType.AppResp, from, to: 'n1', term, index });

/** The driver loop: persist, (send), apply, advance. */
function handle(n: RawNode, s: MemoryStorage, applied: string[] = []): Ready | undefined {
  if (!n.hasReady()) return undefined;
  const rd = n.ready();
  if (rd.snapshot) s.applySnapshot(rd.snapshot);
  s.append(rd.entries);
  if (rd.hardState) s.setHardState(rd.hardState);
  for (const e of rd.committedEntries) {
    if (e.type === EntryType.ConfChange) n.applyConfChange(decodeConfChange(e.data));
    else if (e.data.length > 0) applied.push(new TextDecoder().decode(e.data));
  }
  n.advance();
  return rd;
}

/**
 * Readies until there are none: a leader counts its own entries only once
 * a Ready holding them is advanced, so a lone node commits them in the next.
 */
function drain(n: RawNode, s: MemoryStorage, applied: string[] = []): void {
  while (handle(n, s, applied) !== undefined) {
    /* next Ready */
  }
}

t.test('a single-node cluster bootstraps, elects itself and commits proposals', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  const n = node('n1', s);
  const first = handle(n, s)!;
  t.equal(first.entries.length, 2, 'the bootstrap entries (add learner, promote)');
  t.equal(first.committedEntries.length, 2);
  t.same(first.hardState, { term: 1, vote: '', commit: 2 });
  n.campaign();
  const rd = handle(n, s)!;
  t.same(rd.softState, { lead: 'n1', role: Role.Leader });
  const applied: string[] = [];
  n.propose(new TextEncoder().encode('a'));
  n.propose(new TextEncoder().encode('b'));
  const withEntries = handle(n, s, applied)!;
  t.same(withEntries.entries.map((e) => e.data.length), [1, 1]);
  t.ok(withEntries.committedEntries.every((e) => e.index < withEntries.entries[0]!.index), 'no entry commits in the Ready that holds it for syncing');
  drain(n, s, applied);
  t.same(applied, ['a', 'b']);
  t.equal(n.status().applied, s.lastIndex());
  t.notOk(n.hasReady(), 'nothing left to do');
});

t.test('ready() twice without advance() is refused; advance() without ready() too', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  const n = node('n1', s);
  n.ready();
  t.notOk(n.hasReady(), 'hasReady is false while a Ready is outstanding');
  t.throws(() => n.ready(), { name: 'RaftInvariantError' });
  n.advance();
  t.throws(() => n.advance(), { name: 'RaftInvariantError' });
});

t.test('local-only message types are refused from the network', async (t) => {
  const n = node('n1', new MemoryStorage({ confState: { voters: ['n1', 'n2'], learners: [] } }));
  t.throws(() => n.step({ type: MessageType.Hup, from: 'n2', to: 'n1', term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 }), {
    name: 'RaftInvariantError',
  });
});

t.test('a restarted node resumes from storage and re-applies only unapplied entries', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  let n = node('n1', s);
  handle(n, s);
  n.campaign();
  handle(n, s);
  const applied: string[] = [];
  for (const d of ['x', 'y', 'z']) n.propose(new TextEncoder().encode(d));
  drain(n, s, applied);
  const st = n.status();
  // Restart as if the application had applied up to 'x' only.
  const xIndex = st.applied - 2;
  n = node('n1', s, xIndex);
  t.equal(n.status().term, st.term);
  t.equal(n.status().commit, st.commit);
  const again: string[] = [];
  handle(n, s, again);
  t.same(again, ['y', 'z']);
});

t.test('proposals on a follower without a leader throw ProposalDroppedError', async (t) => {
  const n = node('n2', new MemoryStorage({ confState: { voters: ['n1', 'n2', 'n3'], learners: [] } }));
  t.throws(() => n.propose(new Uint8Array([1])), { name: 'ProposalDroppedError' });
  t.throws(() => n.proposeConfChange({ type: ConfChangeType.AddLearner, node: 'n4' }), { name: 'ProposalDroppedError' });
});

t.test('status reports progress on the leader only', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  const n = node('n1', s);
  t.equal(n.status().progress, undefined);
  handle(n, s);
  n.campaign();
  handle(n, s);
  const st = n.status();
  t.equal(st.role, Role.Leader);
  t.same(Object.keys(st.progress ?? {}), ['n1']);
  t.same(st.conf, { voters: ['n1'], learners: [] });
});

t.test('config validation', async (t) => {
  const storage = new MemoryStorage();
  const rand = new SeededRand(1);
  t.throws(() => new RawNode({ id: '', storage, rand, electionTick: 10, heartbeatTick: 1 }), { name: 'RaftConfigError' });
  t.throws(() => new RawNode({ id: 'a', storage, rand, electionTick: 1, heartbeatTick: 1 }), { name: 'RaftConfigError' });
  t.throws(() => new RawNode({ id: 'a', storage, rand, electionTick: 10, heartbeatTick: 0 }), { name: 'RaftConfigError' });
  t.throws(() => new RawNode({ id: 'a', storage, rand, electionTick: 10, heartbeatTick: 1, maxInflightMsgs: 0 }), { name: 'RaftConfigError' });
});

t.test('a stored commit below the snapshot is raised to it on restart; one past the log is refused', async (t) => {
  // The driver snapshotted entries it had applied before a hard state naming
  // their commit was written (it applies while a batch syncs), then crashed.
  const s = new MemoryStorage({ confState: { voters: ['n1', 'n2', 'n3'], learners: [] } });
  s.applySnapshot({ metadata: { index: 5, term: 2, conf: { voters: ['n1', 'n2', 'n3'], learners: [] } }, data: new Uint8Array() });
  s.setHardState({ term: 2, vote: 'n1', commit: 3 });
  const n = node('n1', s, 5);
  t.equal(n.status().commit, 5);
  t.equal(n.status().term, 2);
  s.setHardState({ term: 2, vote: 'n1', commit: 6 });
  t.throws(() => node('n1', s, 5), /stored commit 6 is beyond the last stored entry 5/);
});

t.test('while a Ready syncs: appends and commit go out, committed entries of the Ready apply, nothing while the term awaits the sync', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1', 'n2', 'n3'], learners: [] } });
  const n = node('n1', s);
  drain(n, s);
  n.campaign();
  drain(n, s);
  if (n.status().role === Role.PreCandidate) {
    n.step(voteResp('n2', n.status().term + 1, MessageType.PreVoteResp));
    drain(n, s);
  }
  n.step(voteResp('n2', n.status().term));
  drain(n, s);
  t.equal(n.status().role, Role.Leader);
  // The no-op of the new term commits with the followers, then everything is applied.
  n.step(appResp('n2', n.status().term, s.lastIndex()));
  n.step(appResp('n3', n.status().term, s.lastIndex()));
  drain(n, s);
  const applied = n.status().applied;
  t.equal(applied, s.lastIndex());

  n.propose(new TextEncoder().encode('x'));
  const rd = n.ready(); // being synced: x is not in storage yet
  const x = rd.entries[0]!.index;
  t.same(n.whileSyncing(s.initialState().hardState, applied), { messages: [], entries: [] }, 'the Ready carried the appends already');
  n.propose(new TextEncoder().encode('y'));
  const w1 = n.whileSyncing(s.initialState().hardState, applied);
  t.same(w1.messages.map((m) => [m.type, m.to, m.entries.length]), [[MessageType.App, 'n2', 1], [MessageType.App, 'n3', 1]], "y's appends leave at once");
  // Both followers hold x and y: committed without the leader's own sync...
  n.step(appResp('n2', n.status().term, x + 1));
  n.step(appResp('n3', n.status().term, x + 1));
  t.equal(n.status().commit, x + 1);
  const w2 = n.whileSyncing(s.initialState().hardState, applied);
  t.ok(w2.messages.every((m) => m.type === MessageType.App && m.commit === x + 1), 'the followers hear of the commit');
  t.same(w2.entries.map((e) => e.index), [x], 'and the leader applies x, which its Ready is syncing, but not y, which no save holds yet');
  s.append(rd.entries);
  n.advance();
  t.same(n.whileSyncing(s.initialState().hardState, x).entries, [], 'y still waits for the next Ready');
  const rd2 = n.ready();
  t.same(rd2.entries.map((e) => e.index), [x + 1]);
  t.same(n.whileSyncing(s.initialState().hardState, x).entries.map((e) => e.index), [x + 1], 'y applies while its Ready syncs');

  // A newer term not yet synced: nothing leaves, nothing applies.
  n.step({ ...appResp('n2', n.status().term + 1, 0), reject: true });
  t.same(n.whileSyncing(s.initialState().hardState, applied), { messages: [], entries: [] });
});

t.test('committed entries that replaced a syncing Ready\'s own are not applied before a save holds them', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1', 'n2', 'n3'], learners: [] } });
  const n = node('n2', s);
  drain(n, s); // the bootstrap entries
  const base = s.lastIndex();
  const baseTerm = s.term(base);
  const data = (v: string) => new TextEncoder().encode(v);
  const app = (from: string, term: number, values: string[], commit: number) => makeMessage({
    type: MessageType.App, from, to: 'n2', term, index: base, logTerm: baseTerm, commit: base + commit,
    entries: values.map((v, i) => ({ term, index: base + i + 1, type: EntryType.Normal, data: data(v) })),
  });
  n.step(app('n1', 2, ['a', 'b'], 0));
  const rd = n.ready(); // a and b are being synced
  t.same(rd.entries.map((e) => e.index), [base + 1, base + 2]);
  // A newer leader replaces both and says they are committed.
  n.step(app('n3', 3, ['c', 'd'], 2));
  t.equal(n.status().commit, base + 2);
  t.same(n.committedToApply(base), [], 'c and d are committed, but no save holds them yet');
  s.append(rd.entries);
  n.advance();
  const rd2 = n.ready();
  t.same(rd2.entries.map((e) => new TextDecoder().decode(e.data)), ['c', 'd']);
  t.same(n.committedToApply(base).map((e) => new TextDecoder().decode(e.data)), ['c', 'd'], 'they apply while their own Ready syncs');
});

t.test('persistPlan: what a Ready needs written, and which messages wait for it', async (t) => {
  const synced = { term: 3, vote: 'n1', commit: 10 };
  const msg = (type: MessageType) => makeMessage({ type, from: 'n2', to: 'n1', term: 3 });
  const ready = (r: Partial<Ready>): Ready => ({ entries: [], committedEntries: [], messages: [], readStates: [], ...r });
  const entry = { term: 3, index: 11, type: EntryType.Normal, data: new Uint8Array([1]) };
  const types = (ms: { type: MessageType }[]) => ms.map((m) => m.type);

  const withEntries = persistPlan(ready({ entries: [entry], messages: [msg(MessageType.AppResp), msg(MessageType.Prop)] }), synced, false);
  t.equal(withEntries.write, 'sync', 'new entries are synced');
  t.same(types(withEntries.early), [MessageType.Prop], 'a forwarded proposal need not wait');
  t.same(types(withEntries.late), [MessageType.AppResp], 'an append answer waits for the sync');

  const newTerm = persistPlan(ready({ hardState: { term: 4, vote: 'n2', commit: 10 }, messages: [msg(MessageType.VoteResp), msg(MessageType.HeartbeatResp)] }), synced, false);
  t.equal(newTerm.write, 'sync', 'a new term and vote are synced');
  t.same(types(newTerm.late), [MessageType.VoteResp, MessageType.HeartbeatResp], 'even a heartbeat answer waits for them');

  const commitOnly = persistPlan(ready({ hardState: { ...synced, commit: 12 }, messages: [msg(MessageType.HeartbeatResp)] }), synced, false);
  t.equal(commitOnly.write, 'commitOnly', 'a batch that only moves the commit index is not synced');
  t.same(types(commitOnly.early), [MessageType.HeartbeatResp]);

  t.equal(persistPlan(ready({}), synced, false).write, 'none');
  const leader = persistPlan(ready({ entries: [entry], messages: [msg(MessageType.App), msg(MessageType.Heartbeat)] }), synced, true);
  t.same(types(leader.early), [MessageType.App, MessageType.Heartbeat], "a leader's appends leave before its own sync");
});
