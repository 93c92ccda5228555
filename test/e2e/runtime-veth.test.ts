// DockerRuntime with pods wired by Shoal (VethSandboxNetwork: a veth pair per
// sandbox on the pod bridge, like a CNI bridge plugin) against the real engine
// and kernel: the compliance suite, pods reaching each other and the node,
// addresses from the node's slice, host ports through Docker's network, and
// a sandbox whose wiring never finished counted as dead.
import t from 'tap';
import Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { silentLogger } from '@shoal/log';
import { ensureBridgeNetwork, hostInterfaceName, inSlice, podNetworkPlan, removeBridgeNetwork, VethSandboxNetwork } from '@shoal/network';
import { DockerRuntime, runSandbox, type ContainerSpec, type SandboxSpec } from '@shoal/runtime';
import { runtimeCompliance } from '../../packages/runtime/test/compliance.js';
import { busyboxBehaviours, removeOwnedBy as removeOwned } from './helpers/runtime-harness.js';

const docker = new Docker();
const tag = `shoal-e2e-veth-${process.pid}`;
const bridgeName = `shv-e2e${process.pid % 1e6}`;
const image = 'shoal/busybox:latest';

const removeOwnedBy = (node: string) => removeOwned(docker, node);

/** Output and exit code of `cmd` run in container `id`. */
async function execIn(rt: DockerRuntime, id: string, cmd: string): Promise<string> {
  const r = await rt.exec(id, ['sh', '-c', cmd], { timeoutMs: 10_000 });
  return r.stdout.trim();
}

t.test('pods wired by Shoal', async (t) => {
  const nodes: string[] = [];
  const runtimes: DockerRuntime[] = [];
  t.teardown(async () => {
    for (const n of nodes) await removeOwnedBy(n);
    for (const r of runtimes) await r.close();
    await removeBridgeNetwork(docker, tag).catch(() => {});
  });

  // A /16 that collides with nothing on this host (other tests pick from 213-218).
  let plan: ReturnType<typeof podNetworkPlan> | undefined;
  let bridge = '';
  for (const second of [219, 220, 221, 222, 223, 224]) {
    const p = podNetworkPlan(`10.${second}.0.0/16`, 1);
    try {
      bridge = (await ensureBridgeNetwork(docker, { name: tag, bridgeName, subnet: p.subnet, gateway: p.gateway, logger: silentLogger })).bridge;
      plan = p;
      break;
    } catch (err) {
      if ((err as Error).name !== 'SubnetCollisionError') throw err;
    }
  }
  if (!plan) throw new Error('no free subnet for the test network');
  const subnet = plan.subnet;
  t.equal(bridge, bridgeName, 'the bridge interface is the one asked for');

  // Each runtime is a node with its own slice of the subnet.
  let slices = 0;
  const runtime = (node: string): DockerRuntime => {
    const slice = podNetworkPlan(subnet, ++slices);
    const r = new DockerRuntime({
      ownerNode: node, docker, network: tag,
      sandboxNetwork: new VethSandboxNetwork({ bridge, nodeCIDR: slice.nodeCIDR, podSubnet: subnet, gateway: slice.gateway }),
    });
    nodes.push(node);
    runtimes.push(r);
    return r;
  };

  t.test('DockerRuntime with veth wiring passes the ContainerRuntime compliance suite', async (t) => {
    runtimeCompliance(t, {
      runtime,
      ...busyboxBehaviours,
      cleanup: removeOwnedBy,
    }, 'e2e-veth');
  });

  const node = `e2e-veth-${process.pid}`;
  const rt = runtime(node);
  const slice = podNetworkPlan(subnet, slices).nodeCIDR;
  let seq = 0;
  const sandboxSpec = (name: string, extra: Partial<SandboxSpec> = {}): SandboxSpec => ({
    pod: { uid: `uid-veth-${process.pid}-${++seq}`, namespace: 'default', name }, nodeName: node, attempt: 0, hostname: name,
    portMappings: [], terminationGraceSeconds: 1, ...extra,
  });
  const app = (sb: SandboxSpec, entrypoint: string[]): ContainerSpec => ({
    pod: sb.pod, nodeName: node, name: 'app', attempt: 0, image, entrypoint, cmd: [], env: [], mounts: [], resources: {}, terminationGraceSeconds: 1,
  });
  const pod = async (name: string, entrypoint: string[], extra: Partial<SandboxSpec> = {}) => {
    const spec = sandboxSpec(name, extra);
    const sb = await runSandbox(rt, spec);
    const id = await rt.createContainer(sb.id, app(spec, entrypoint));
    await rt.startContainer(id);
    return { sb, id };
  };

  t.test('pods get addresses from the node slice and reach each other, the gateway and the node', async (t) => {
    const web = await pod('web', ['sh', '-c', "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"]);
    const client = await pod('client', ['sleep', '3600']);
    t.ok(web.sb.ip && inSlice(slice, web.sb.ip), `web ${web.sb.ip} is in the node slice ${slice}`);
    t.ok(client.sb.ip && inSlice(slice, client.sb.ip), `client ${client.sb.ip} too`);
    t.not(web.sb.ip, client.sb.ip, 'distinct addresses');
    t.ok(existsSync(`/sys/class/net/${hostInterfaceName(web.sb.id)}/master`), 'the outer end is on the bridge');

    t.equal(await execIn(rt, client.id, 'ip -4 -o addr show eth0 | tr -s " " | cut -d" " -f4'), `${client.sb.ip}/16`, 'eth0 has the pod address on the whole subnet');
    t.match(await execIn(rt, client.id, 'ip route'), new RegExp(`default via ${plan!.gateway.replaceAll('.', '\\.')} dev eth0`), 'default route through the gateway');
    // busybox wget crashes in the static image: speak HTTP/1.0 with nc.
    const get = `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${web.sb.ip} 8080 | tail -n 1`;
    let body = '';
    for (let i = 0; i < 20 && body !== 'hello-from-web'; i++) {
      body = await execIn(rt, client.id, get);
      if (body !== 'hello-from-web') await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(body, 'hello-from-web', 'one pod reaches another by its address');
    t.equal(await execIn(rt, client.id, `ping -c 1 -W 2 ${plan!.gateway} >/dev/null && echo ok`), 'ok', 'and the gateway');
    const fromNode = await fetch(`http://${web.sb.ip}:8080/index.html`).then((r) => r.text());
    t.equal(fromNode.trim(), 'hello-from-web', 'the node reaches the pod through the bridge');
    t.match(await execIn(rt, web.id, 'cat /etc/hosts'), new RegExp(`${web.sb.ip!.replaceAll('.', '\\.')}\\s+web`), '/etc/hosts names the pod address');

    const host = hostInterfaceName(web.sb.id);
    await rt.removeContainer(web.id);
    await rt.removeSandbox(web.sb.id);
    for (let i = 0; i < 40 && existsSync(`/sys/class/net/${host}`); i++) await new Promise((r) => setTimeout(r, 50));
    t.notOk(existsSync(`/sys/class/net/${host}`), 'the pair goes with the sandbox');
    await rt.removeContainer(client.id);
    await rt.removeSandbox(client.sb.id);
  });

  t.test('concurrent sandboxes get distinct addresses, and a restarted runtime does not reuse live ones', async (t) => {
    const specs = Array.from({ length: 6 }, (_, i) => sandboxSpec(`many-${i}`));
    const sbs = await Promise.all(specs.map((s) => runSandbox(rt, s)));
    const ips = sbs.map((s) => s.ip);
    t.equal(new Set(ips).size, 6, `six addresses: ${ips.join(' ')}`);
    t.ok(ips.every((ip) => ip && inSlice(slice, ip)), 'all in the slice');
    // A new runtime for the same node (the agent restarted) reads the addresses from the labels.
    const again = new DockerRuntime({
      ownerNode: node, docker, network: tag,
      sandboxNetwork: new VethSandboxNetwork({ bridge, nodeCIDR: slice, podSubnet: subnet, gateway: plan!.gateway }),
    });
    runtimes.push(again);
    t.same((await again.listSandboxes()).filter((s) => ips.includes(s.ip)).map((s) => s.state), Array(6).fill('running'), 'it sees them running with their addresses');
    const next = await runSandbox(again, sandboxSpec('after-restart'));
    t.ok(next.ip && !ips.includes(next.ip), `a new sandbox gets a free address (${next.ip})`);
    for (const s of [...sbs, next]) await again.removeSandbox(s.id);
  });

  t.test('a pod publishing a host port is attached to the Docker network', async (t) => {
    const hostPort = 32000 + (process.pid % 700);
    const { sb, id } = await pod('ported', ['sh', '-c', "mkdir -p /www && echo ported > /www/index.html && exec httpd -f -p 8080 -h /www"], {
      portMappings: [{ containerPort: 8080, hostPort, protocol: 'TCP', hostIP: '127.0.0.1' }],
    });
    t.ok(sb.ip && !inSlice(slice, sb.ip), `a Docker-chosen address (${sb.ip})`);
    let body = '';
    for (let i = 0; i < 20 && body !== 'ported'; i++) {
      body = await fetch(`http://127.0.0.1:${hostPort}/index.html`).then((r) => r.text()).then((x) => x.trim(), () => '');
      if (body !== 'ported') await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(body, 'ported', 'reached through the host port');
    await rt.removeContainer(id);
    await rt.removeSandbox(sb.id);
  });

  t.test('a sandbox started without its wiring counts as exited', async (t) => {
    // What the runtime sees after an agent died between the start and the wiring.
    const id = await rt.createSandbox(sandboxSpec('half-wired'));
    await docker.getContainer(id).start();
    const seen = (await rt.listSandboxes()).find((s) => s.id === id);
    t.equal(seen?.state, 'exited', 'so the agent replaces it');
    t.equal(seen?.ip, undefined, 'without an address');
    await rt.removeSandbox(id);
  });

  t.test('a failed wiring stops the sandbox and says why', async (t) => {
    const broken = new DockerRuntime({
      ownerNode: `${node}-broken`, docker, network: tag,
      sandboxNetwork: new VethSandboxNetwork({ bridge: 'no-such-br0', nodeCIDR: podNetworkPlan(subnet, 40).nodeCIDR, podSubnet: subnet, gateway: plan!.gateway }),
    });
    nodes.push(`${node}-broken`);
    runtimes.push(broken);
    const spec = { ...sandboxSpec('broken'), nodeName: `${node}-broken` };
    const id = await broken.createSandbox(spec);
    await t.rejects(broken.startSandbox(id), /cannot wire the network of sandbox .*no-such-br0/);
    const after = await broken.inspectSandbox(id);
    t.equal(after?.state, 'exited', 'the sandbox is stopped');
    await broken.removeSandbox(id);
  });
});
