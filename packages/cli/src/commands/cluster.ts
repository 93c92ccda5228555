/** `shoal cluster members|status|leader|transfer-leader|snapshot|add-node|remove-node`. */
import type { CommandModule } from 'yargs';
import type { wire } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { Table } from '../output/table.js';
import { toJson } from '../output/print.js';

interface ClusterArgs extends GlobalFlags { output?: string; target?: string; id?: string; peer?: string; api?: string; voter?: boolean }

/** Gossip metadata worth a column: capacity, version, labels. */
function metaSummary(meta: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  if (meta['cpu']) parts.push(`cpu=${meta['cpu']}m`);
  if (meta['mem']) parts.push(`mem=${Math.round(Number(meta['mem']) / 2 ** 20)}Mi`);
  if (meta['version']) parts.push(`version=${meta['version']}`);
  if (meta['labels'] && meta['labels'] !== '{}') parts.push(`labels=${meta['labels']}`);
  return parts.join(' ');
}

function memberTable(list: readonly wire.Member[], wide: boolean): string {
  const head = ['NAME', 'STATE', 'INCARNATION', 'RAFT', 'LEADER', 'API', 'GOSSIP', ...(wide ? ['METADATA'] : [])];
  return new Table(head).render(
    list.map((m) => [m.id, m.state, String(m.incarnation ?? 0), m.raft_role, m.leader ? 'yes' : '', m.api_address, m.gossip_address, ...(wide ? [metaSummary(m.meta)] : [])]),
  );
}

export function clusterCommand(ctx: CommandContext): CommandModule<GlobalFlags, GlobalFlags> {
  const json = (argv: ClusterArgs): boolean => argv.output === 'json';
  const members: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'members',
    describe: 'List the cluster\'s nodes: gossip state and incarnation, Raft role, leader, addresses (-o wide: metadata)',
    builder: (y) => y.option('output', { alias: 'o', type: 'string', choices: ['json', 'wide'] }) as never,
    handler: async (argv) => {
      const list = await ctx.client(argv).members();
      if (json(argv)) return void ctx.out(toJson(list));
      ctx.out(memberTable(list, argv.output === 'wide'));
    },
  };
  const status: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'status',
    describe: 'Raft status of the node the CLI talks to (and, on the leader, its followers)',
    builder: (y) => y.option('output', { alias: 'o', type: 'string', choices: ['json'] }) as never,
    handler: async (argv) => {
      const client = ctx.client(argv);
      const s = await client.raftStatus();
      if (json(argv)) return void ctx.out(toJson({ server: client.pool.preferred, ...s }));
      ctx.out([
        `Node:       ${s.id} (${client.pool.preferred})`,
        `State:      ${s.state}`,
        `Term:       ${s.term}`,
        `Leader:     ${s.leader_id || '<none>'}`,
        `Commit:     ${s.commit_index}`,
        `Applied:    ${s.applied_index}`,
        `Last index: ${s.last_index}`,
        `Snapshot:   ${s.snapshot_index}`,
        `Revision:   ${s.revision}`,
        `Voters:     ${s.voters.join(', ') || '<none>'}`,
        `Learners:   ${s.learners.join(', ') || '<none>'}`,
      ].join('\n') + '\n');
      if (s.progress.length) {
        ctx.out('Followers:\n' + new Table(['ID', 'MATCH', 'NEXT', 'STATE', 'ACTIVE']).render(s.progress.map((p) => [p.id, String(p.match), String(p.next), p.state, String(p.recent_active)])).replace(/^/gm, '  ').trimEnd() + '\n');
      }
    },
  };
  const leader: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'leader',
    describe: 'Show the current leader',
    builder: (y) => y.option('output', { alias: 'o', type: 'string', choices: ['json'] }) as never,
    handler: async (argv) => {
      const l = await ctx.client(argv).leader();
      if (json(argv)) return void ctx.out(toJson(l));
      ctx.out(`${l.leader_id} ${l.leader_api_address} (term ${l.term})\n`);
    },
  };
  const transfer: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'transfer-leader [target]',
    describe: 'Hand leadership to another voter (default: the most up-to-date one)',
    builder: (y) => y.positional('target', { type: 'string', describe: 'node name' }) as never,
    handler: async (argv) => {
      const l = await ctx.client(argv).transferLeader(argv.target ?? '');
      ctx.out(`leader is now ${l.leader_id} (term ${l.term})\n`);
    },
  };
  const snapshot: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'snapshot',
    describe: 'Snapshot the contacted node\'s state now and compact its log',
    handler: async (argv) => {
      const s = await ctx.client(argv).snapshot();
      ctx.out(`snapshot at index ${s.index} (term ${s.term}, ${s.size_bytes} bytes)\n`);
    },
  };
  const addNode: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'add-node <id>',
    describe: 'Add a node to the Raft configuration (a learner, promoted once caught up, unless --voter)',
    builder: (y) => y
      .positional('id', { type: 'string', describe: 'node name' })
      .option('peer', { type: 'string', demandOption: 'give --peer HOST:PORT (its Raft peer address)', describe: 'its Raft peer address' })
      .option('api', { type: 'string', default: '', describe: 'its API address' })
      .option('voter', { type: 'boolean', default: false, describe: 'join as a voter at once' }) as never,
    handler: async (argv) => {
      const list = await ctx.client(argv).addNode({ id: argv.id!, peer_address: argv.peer!, api_address: argv.api ?? '', voter: argv.voter ?? false });
      ctx.out(`node ${argv.id} added\n${memberTable(list, false)}`);
    },
  };
  const removeNode: CommandModule<GlobalFlags, ClusterArgs> = {
    command: 'remove-node <id>',
    describe: 'Remove a node from the Raft configuration',
    builder: (y) => y.positional('id', { type: 'string', describe: 'node name' }) as never,
    handler: async (argv) => {
      const list = await ctx.client(argv).removeNode(argv.id!);
      ctx.out(`node ${argv.id} removed\n${memberTable(list, false)}`);
    },
  };
  return {
    command: 'cluster',
    describe: 'Cluster membership and Raft: members, status, leader, transfer-leader, snapshot, add-node, remove-node',
    builder: (y) => y.command(members as never).command(status as never).command(leader as never).command(transfer as never).command(snapshot as never).command(addNode as never).command(removeNode as never).demandCommand(1, 'give a cluster command') as never,
    handler: () => {},
  };
}
