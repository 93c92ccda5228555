/**
 * npm run cluster -- <command>
 *
 *   up [--no-demo]      start every node of the config, wait for a leader, apply examples/
 *   down [--purge]      stop every node (SIGTERM, then SIGKILL), remove its containers; --purge deletes data and volumes
 *   status              each node's process, API and Raft role
 *   kill NODE           SIGKILL one daemon (like a crash)
 *   start NODE          start one daemon
 *   restart NODE        stop then start one daemon
 *   pause|resume NODE   SIGSTOP / SIGCONT one daemon
 *   logs NODE [-f]      print (or follow) one daemon's log
 *
 * --config FILE picks the cluster config (default cluster-config/local-3node.yaml).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IptablesNetfilter, removeNodeRules } from '@shoal/network';
import { LocalCluster, ROOT, sleep } from './lib/local-cluster.js';
import { clusterStatus, applyExamples, removeNodeContainers, removeNodeVolumes, waitForLeader, waitForNodes } from './lib/cluster-ops.js';

function usage(msg?: string): never {
  if (msg) process.stderr.write(`error: ${msg}\n\n`);
  process.stderr.write(
    'usage: npm run cluster -- up [--no-demo] | down [--purge] | status | kill NODE | start NODE | restart NODE | pause NODE | resume NODE | logs NODE [-f]\n' +
      '       [--config cluster-config/local-3node.yaml]\n',
  );
  process.exit(msg ? 2 : 0);
}

async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  let configPath = join(ROOT, 'cluster-config/local-3node.yaml');
  const ci = args.indexOf('--config');
  if (ci >= 0) {
    const v = args[ci + 1];
    if (!v) usage('--config needs a file');
    configPath = v;
    args.splice(ci, 2);
  }
  const flags = new Set(args.filter((a) => a.startsWith('-')));
  const [cmd, name] = args.filter((a) => !a.startsWith('-'));
  if (!cmd || flags.has('--help') || flags.has('-h')) usage();
  const cluster = new LocalCluster(configPath);
  const needNode = (): string => {
    if (!name) usage(`${cmd} needs a node name (${cluster.nodes.map((n) => n.name).join(', ')})`);
    cluster.node(name);
    return name;
  };

  switch (cmd) {
    case 'up': {
      for (const n of cluster.nodes) {
        const pid = cluster.start(n.name);
        console.log(`[cluster] ${n.name} pid ${pid} on ${n.address} (api :${n.apiPort}, log ${cluster.logFile(n.name)})`);
      }
      for (const n of cluster.nodes) await cluster.waitListening(n.name);
      const leader = await waitForLeader(cluster, 30_000);
      console.log(`[cluster] leader is ${leader}`);
      await waitForNodes(cluster, cluster.nodes.length, 60_000);
      console.log(`[cluster] ${cluster.nodes.length} nodes Ready`);
      if (!flags.has('--no-demo')) {
        await applyExamples(cluster, process.env['SHOAL_EXAMPLES'] ?? join(ROOT, 'examples'));
      }
      console.log(await clusterStatus(cluster));
      console.log(
        [
          '',
          'Try:',
          '  npx shoal get pods -o wide -w          # watch pods (Ctrl-C to stop)',
          '  npx shoal cluster members              # gossip membership',
          '  npm run cluster -- kill node-2         # crash a node, watch its pods move',
          '  npm run cluster -- start node-2        # bring it back',
          '  npm run cluster -- down                # stop everything',
        ].join('\n'),
      );
      return;
    }
    case 'down': {
      await Promise.all(cluster.nodes.map((n) => cluster.stop(n.name)));
      const removed = await removeNodeContainers(cluster.nodes.map((n) => n.name));
      // Nodes that were killed could not remove their own VIP rules.
      const nf = new IptablesNetfilter();
      for (const n of cluster.nodes) await removeNodeRules(nf, n.name).catch(() => 0);
      console.log(`[cluster] stopped ${cluster.nodes.length} nodes, removed ${removed} containers`);
      if (flags.has('--purge')) {
        for (const n of cluster.nodes) rmSync(n.dataDir, { recursive: true, force: true });
        const volumes = await removeNodeVolumes(cluster.nodes.map((n) => n.name));
        console.log(`[cluster] data directories and ${volumes} volumes removed`);
      }
      return;
    }
    case 'status':
      console.log(await clusterStatus(cluster));
      return;
    case 'kill': {
      const n = needNode();
      console.log(cluster.kill(n) ? `[cluster] ${n} killed (SIGKILL)` : `[cluster] ${n} is not running`);
      return;
    }
    case 'pause':
    case 'resume': {
      const n = needNode();
      const ok = cluster.signal(n, cmd === 'pause' ? 'SIGSTOP' : 'SIGCONT');
      console.log(ok ? `[cluster] ${n} ${cmd}d` : `[cluster] ${n} is not running`);
      return;
    }
    case 'start': {
      const n = needNode();
      const pid = cluster.start(n);
      await cluster.waitListening(n);
      console.log(`[cluster] ${n} started, pid ${pid}`);
      return;
    }
    case 'restart': {
      const n = needNode();
      await cluster.stop(n);
      await sleep(100);
      const pid = cluster.start(n);
      await cluster.waitListening(n);
      console.log(`[cluster] ${n} restarted, pid ${pid}`);
      return;
    }
    case 'logs': {
      const n = needNode();
      const file = cluster.logFile(n);
      if (!existsSync(file)) usage(`no log for ${n} yet (${file})`);
      const tail = spawn('tail', flags.has('-f') ? ['-n', '100', '-f', file] : ['-n', '200', file], { stdio: 'inherit' });
      await new Promise((r) => tail.on('exit', r));
      return;
    }
    default:
      usage(`unknown command "${cmd}"`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[cluster] error: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
