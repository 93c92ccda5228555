import t from 'tap';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryShoalServer } from '@shoal/client/testing';
import { resolveConfig, processIO } from '../src/index.js';
import { shoal, startServer, tempFiles } from './helpers.js';

t.test('cluster members, leader, status, transfer-leader', async (t) => {
  const server = await startServer(t, {
    id: 'node-1',
    members: [
      { id: 'node-1', api_address: '127.0.0.1:7100', gossip_address: '127.0.0.1:7300', state: 'alive', raft_role: 'voter', leader: true, meta: { cpu: '2000', mem: '1073741824', version: '0.1.0' }, incarnation: 0 },
      { id: 'node-2', api_address: '127.0.0.2:7100', gossip_address: '127.0.0.2:7300', state: 'suspect', raft_role: 'voter', leader: false, meta: {}, incarnation: 3 },
    ],
  });
  const members = await shoal(server, ['cluster', 'members']);
  t.equal(members.stdout, [
    'NAME     STATE     INCARNATION   RAFT    LEADER   API              GOSSIP',
    'node-1   alive     0             voter   yes      127.0.0.1:7100   127.0.0.1:7300',
    'node-2   suspect   3             voter            127.0.0.2:7100   127.0.0.2:7300',
    '',
  ].join('\n'));
  t.match((await shoal(server, ['cluster', 'members', '-o', 'wide'])).stdout, /METADATA\n.*cpu=2000m mem=1024Mi version=0\.1\.0\n/);
  t.equal((await shoal(server, ['cluster', 'leader'])).stdout, 'node-1 127.0.0.1:7100 (term 1)\n');
  t.match((await shoal(server, ['cluster', 'status'])).stdout, /State:\s+leader\n/);
  t.equal((await shoal(server, ['cluster', 'transfer-leader', 'node-2'])).stdout, 'leader is now node-2 (term 2)\n');
  const json = JSON.parse((await shoal(server, ['cluster', 'members', '-o', 'json'])).stdout) as { id: string }[];
  t.same(json.map((m) => m.id), ['node-1', 'node-2']);
  const added = await shoal(server, ['cluster', 'add-node', 'node-3', '--peer', '127.0.0.3:7200', '--api', '127.0.0.3:7100']);
  t.match(added.stdout, /^node node-3 added\nNAME.*\n(.*\n){2}node-3\s+alive\s+0\s+learner\s+127\.0\.0\.3:7100/);
  const removed = await shoal(server, ['cluster', 'remove-node', 'node-3']);
  t.equal(removed.stdout.trim().split('\n').length, 4, 'message, header and two members');
  const missing = await shoal(server, ['cluster', 'remove-node', 'node-9']);
  t.equal(missing.stderr, 'Error from server (NotFound): node node-9 is not a member\n');
});

t.test('the CLI fails over to a live server when the first is down', async (t) => {
  const dead = new MemoryShoalServer();
  const deadAddr = await dead.start();
  dead.stop();
  const live = await startServer(t);
  const res = await shoal(undefined, ['get', 'pods', '--server', `${deadAddr},${live.address}`]);
  t.equal(res.code, 0, res.stderr);
});

t.test('no server up: one line, exit 1, no stack unless SHOAL_DEBUG=1', async (t) => {
  const dead = new MemoryShoalServer();
  const addr = await dead.start();
  dead.stop();
  const res = await shoal(undefined, ['get', 'pods', '--server', addr, '--timeout', '2s']);
  t.equal(res.code, 1);
  t.match(res.stderr, /^error: cluster unavailable: no Shoal server answered List \(tried 127\.0\.0\.1:\d+\): connect ECONNREFUSED/);
  t.equal(res.stderr.split('\n').length, 2, 'one line');
  const debug = await shoal(undefined, ['get', 'pods', '--server', addr, '--timeout', '500ms'], { env: { SHOAL_DEBUG: '1' } });
  t.match(debug.stderr, /\n\s+at /, 'stack with SHOAL_DEBUG=1');
});

t.test('usage errors are one line; --help prints usage on stdout', async (t) => {
  const unknown = await shoal(undefined, ['frobnicate']);
  t.equal(unknown.code, 1);
  t.equal(unknown.stderr.split('\n').length, 2);
  const none = await shoal(undefined, []);
  t.equal(none.code, 1);
  t.match(none.stderr, /give a command/);
  for (const cmd of [[], ['apply'], ['get'], ['describe'], ['delete'], ['logs'], ['exec'], ['scale'], ['rollout'], ['rollout', 'status'], ['rollout', 'undo'], ['create', 'job'], ['cluster'], ['cluster', 'members']]) {
    const help = await shoal(undefined, [...cmd, '--help']);
    t.equal(help.code, 0, `${cmd.join(' ')} --help`);
    t.match(help.stdout, /--server/, `${cmd.join(' ')} --help lists --server`);
    t.match(help.stdout, /--timeout/);
  }
  const badTimeout = await shoal(undefined, ['get', 'pods', '--timeout', 'soon']);
  t.equal(badTimeout.stderr, 'error: --timeout: cannot parse "soon" (use e.g. 500ms, 10s, 2m)\n');
});

t.test('servers come from --server, then SHOAL_SERVERS, then the config file, then the local cluster', async (t) => {
  const home = tempFiles(t, {});
  mkdirSync(join(home, '.shoal'));
  const io = { ...processIO(), home, env: {} as Record<string, string | undefined> };
  t.same(resolveConfig(io, {}).servers, ['127.0.0.1:7100', '127.0.0.2:7100', '127.0.0.3:7100']);
  writeFileSync(join(home, '.shoal', 'config.yaml'), 'servers: [10.0.0.1:7100, 10.0.0.2:7100]\nnamespace: team\ntimeout: 3s\n');
  const fromFile = resolveConfig(io, {});
  t.same(fromFile.servers, ['10.0.0.1:7100', '10.0.0.2:7100']);
  t.equal(fromFile.namespace, 'team');
  t.equal(fromFile.timeoutMs, 3000);
  io.env = { SHOAL_SERVERS: '10.0.0.9:7100 , 10.0.0.8:7100' };
  t.same(resolveConfig(io, {}).servers, ['10.0.0.9:7100', '10.0.0.8:7100']);
  t.same(resolveConfig(io, { server: '1.2.3.4:7100', namespace: 'x', timeout: '500ms' }), { servers: ['1.2.3.4:7100'], namespace: 'x', timeoutMs: 500, source: '--server' });
  t.throws(() => resolveConfig(io, { server: 'no-port' }), /server "no-port" from --server is not host:port/);
  writeFileSync(join(home, '.shoal', 'config.yaml'), 'servers: [oops\n');
  io.env = {};
  t.throws(() => resolveConfig(io, {}), /config file .*config\.yaml: /);
});
