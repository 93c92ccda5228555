// The shoal CLI against a real three-node cluster on real Docker: apply a
// manifest folder, follow the rollout, read tables, exec and logs in a pod,
// then SIGKILL the node the CLI talks to first and keep using the CLI.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'yaml';
import type { Deployment, Pod } from '@shoal/api';
import { BufferOutput, main } from '@shoal/cli';
import { PrivateCluster as TestCluster } from '../../scripts/lib/private-cluster.js';
import { sleeperDeployment } from './helpers/workloads.js';

async function shoal(servers: string[], args: string[], cwd = tmpdir()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new BufferOutput();
  const stderr = new BufferOutput();
  const code = await main(args, {
    stdout, stderr, stdin: Readable.from([]), cwd, home: '/nonexistent-home', now: () => new Date(),
    env: { SHOAL_SERVERS: servers.join(','), SHOAL_DEBUG: process.env['SHOAL_DEBUG'] },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

t.test('the CLI drives a real cluster and survives the loss of its first server', async (t) => {
  const tc = new TestCluster();
  t.teardown(() => tc.close());
  await tc.start();
  const servers = tc.names.map((n) => tc.cluster.apiAddress(n));

  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const web = sleeperDeployment('cli-web', 3);
  writeFileSync(join(dir, 'web.yaml'), `${stringify(web)}---\n${stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cli-settings' }, data: { color: 'blue' } })}`);

  const applied = await shoal(servers, ['apply', '-f', dir]);
  t.equal(applied.code, 0, applied.stderr);
  t.equal(applied.stdout, 'deployment.apps/cli-web created\nconfigmap/cli-settings created\n');

  const rollout = await shoal(servers, ['rollout', 'status', 'deployment/cli-web', '--timeout', '20s']);
  t.equal(rollout.code, 0, rollout.stderr);
  t.match(rollout.stdout, /deployment "cli-web" successfully rolled out\n$/);

  const table = await shoal(servers, ['get', 'pods', '-o', 'wide', '-l', 'app=cli-web']);
  t.equal(table.code, 0, table.stderr);
  const rows = table.stdout.trim().split('\n');
  t.match(rows[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE$/);
  t.equal(rows.length, 4, 'three pods');
  for (const row of rows.slice(1)) t.match(row, /\s1\/1\s+Running\s+0\s+/);

  const pod = (await tc.pods('app=cli-web')).find(TestCluster.ready) as Pod;
  const exec = await shoal(servers, ['exec', pod.metadata.name, '--', 'sh', '-c', 'echo $VERSION; exit 3']);
  t.equal(exec.code, 3, 'the command\'s exit code');
  t.equal(exec.stdout, 'v1\n');

  const members = await shoal(servers, ['cluster', 'members']);
  t.equal(members.stdout.trim().split('\n').length, 4, 'three members');

  // SIGKILL the first server the CLI would use; every command still works.
  tc.cluster.kill(tc.names[0]!);
  const afterKill = await shoal(servers, ['get', 'deployment', 'cli-web', '-o', 'json']);
  t.equal(afterKill.code, 0, afterKill.stderr);
  t.equal((JSON.parse(afterKill.stdout) as Deployment).spec?.replicas, 3);
  const scaled = await shoal(servers, ['scale', 'deployment/cli-web', '--replicas', '2']);
  t.equal(scaled.code, 0, scaled.stderr);
  const described = await shoal(servers, ['describe', 'deployment', 'cli-web']);
  t.equal(described.code, 0, described.stderr);
  t.match(described.stdout, /Replicas:\s+2 desired/);
  const deleted = await shoal(servers, ['delete', '-f', dir]);
  t.equal(deleted.code, 0, deleted.stderr);
  t.equal(deleted.stdout, 'deployment "cli-web" deleted\nconfigmap "cli-settings" deleted\n');
});
