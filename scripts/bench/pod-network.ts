/**
 * What the engine alone needs to start a pod, and what wiring the pod's
 * network ourselves would save. No Shoal code runs; trials alternate:
 *  - `docker run -d IMAGE` on the default bridge (the pod bench's baseline);
 *  - a pod the way Shoal makes one: a `shoal/pause` sandbox on a
 *    user-defined bridge network, the app container created while the
 *    sandbox starts and started once it runs (joining its network and IPC);
 *  - the same pod with the sandbox on `--network none` and its network
 *    wired by hand before the app starts: a veth pair, one end moved into
 *    the sandbox's namespace with an address and a default route, the other
 *    attached to the same bridge (what a CNI bridge plugin does).
 * Everything it makes carries the label io.shoal.bench=pod-network and is
 * removed at the end, the network too, even on failure. Needs root, `ip`
 * and `nsenter`, the Docker engine and the shoal/pause and shoal/echo images
 * (`bash scripts/ensure-docker.sh` and `npm test` build them).
 *
 *   npm run bench -- pod-network [--trials 12] [--image shoal/echo:latest] [--subnet 10.213.0.0/16]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);
const LABEL = { 'io.shoal.bench': 'pod-network' };
const NETWORK = 'shoal-bench-podnet';
const BRIDGE = 'shoalbpn0';

function flag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function main(argv: string[]): Promise<void> {
  const trials = Number(flag(argv, 'trials', '12'));
  const image = flag(argv, 'image', 'shoal/echo:latest');
  const subnet = flag(argv, 'subnet', '10.213.0.0/16');
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(subnet);
  if (!m || !(trials >= 1)) throw new Error('--subnet must be a.b.0.0/16 and --trials a positive number');
  const prefix = `${m[1]}.${m[2]}`;
  const gateway = `${prefix}.0.1`;
  const docker = new Docker();
  const made: string[] = [];
  const network = await docker.createNetwork({
    Name: NETWORK, Driver: 'bridge', CheckDuplicate: true, Labels: LABEL,
    IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway, IPRange: `${prefix}.128.0/17` }] },
    Options: { 'com.docker.network.bridge.name': BRIDGE },
  });
  const removeMade = async (): Promise<void> => {
    for (const id of made.splice(0)) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  };

  const dockerRun = async (): Promise<number> => {
    const t0 = performance.now();
    const { stdout } = await run('docker', ['run', '-d', '--label', 'io.shoal.bench=pod-network', image]);
    const ms = performance.now() - t0;
    made.push(stdout.trim());
    return ms;
  };
  const pod = async (mode: 'network' | 'own', i: number): Promise<{ ms: number; wireMs: number }> => {
    const t0 = performance.now();
    const pause = await docker.createContainer({ Image: 'shoal/pause:latest', Labels: LABEL, HostConfig: { NetworkMode: mode === 'network' ? NETWORK : 'none', IpcMode: 'shareable' } });
    made.push(pause.id);
    const started = pause.start();
    const join = `container:${pause.id}`;
    const app = await docker.createContainer({ Image: image, Labels: LABEL, HostConfig: { NetworkMode: join, IpcMode: join } });
    made.push(app.id);
    await started;
    let wireMs = 0;
    if (mode === 'own') {
      const w0 = performance.now();
      const pid = (await pause.inspect()).State.Pid;
      const host = `pnb${i}h`;
      const peer = `pnb${i}c`;
      const ip = `${prefix}.1.${10 + (i % 200)}`;
      await run('sh', ['-c', [
        `ip link add ${host} type veth peer name ${peer}`,
        `ip link set ${peer} netns ${pid}`,
        `ip link set ${host} master ${BRIDGE} up`,
        `nsenter -t ${pid} -n sh -c 'ip link set ${peer} name eth0 && ip addr add ${ip}/16 dev eth0 && ip link set eth0 up && ip route add default via ${gateway}'`,
      ].join(' && ')]);
      wireMs = performance.now() - w0;
    }
    await app.start();
    return { ms: performance.now() - t0, wireMs };
  };

  const res = { run: [] as number[], network: [] as number[], own: [] as number[], wire: [] as number[] };
  try {
    process.stdout.write(`pod-network: ${trials} trials of ${image}; network ${NETWORK} (${subnet}, bridge ${BRIDGE})\n`);
    for (let i = 0; i < trials; i++) {
      res.run.push(await dockerRun());
      res.network.push((await pod('network', i)).ms);
      const own = await pod('own', i);
      res.own.push(own.ms);
      res.wire.push(own.wireMs);
      await removeMade();
      process.stdout.write(`  trial ${i + 1}/${trials}: docker run ${res.run[i]!.toFixed(0)} ms, pod on the Docker network ${res.network[i]!.toFixed(0)} ms, pod wired by hand ${own.ms.toFixed(0)} ms (wiring ${own.wireMs.toFixed(0)} ms)\n`);
    }
  } finally {
    await removeMade();
    await network.remove().catch(() => undefined);
  }
  const base = median(res.run);
  process.stdout.write(
    `median: docker run -d ${base.toFixed(0)} ms; pod on the Docker network ${median(res.network).toFixed(0)} ms (x${(median(res.network) / base).toFixed(2)}); ` +
    `pod wired by hand ${median(res.own).toFixed(0)} ms (x${(median(res.own) / base).toFixed(2)}, wiring ${median(res.wire).toFixed(0)} ms)\n`);
}
