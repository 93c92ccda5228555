import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostInterfaceName, PodWiringError, vethPlan, VethSandboxNetwork, type CommandRunner } from '../../src/plumbing/veth-wiring.js';
import { nextPodAddress } from '../../src/plumbing/pod-subnets.js';

const SB = '4b6e7a6a4947c0ffee0123456789abcdef0123456789abcdef0123456789abcd';

t.test('pod addresses go round the slice, skipping used ones, the gateway and the edges', async (t) => {
  t.equal(nextPodAddress('10.210.2.0/24', new Set()), '10.210.2.1', 'from the start');
  t.equal(nextPodAddress('10.210.2.0/24', new Set(['10.210.2.1', '10.210.2.2'])), '10.210.2.3');
  t.equal(nextPodAddress('10.210.2.0/24', new Set(), { after: '10.210.2.7' }), '10.210.2.8', 'after the last one given');
  t.equal(nextPodAddress('10.210.2.0/24', new Set(['10.210.2.1']), { after: '10.210.2.254' }), '10.210.2.2', 'wraps past the broadcast and network addresses');
  t.equal(nextPodAddress('10.210.0.0/24', new Set(), { gateway: '10.210.0.1' }), '10.210.0.2', 'never the gateway');
  t.equal(nextPodAddress('10.210.2.0/24', new Set(), { after: '10.9.9.9' }), '10.210.2.1', 'an `after` outside the slice starts from the beginning');
  t.equal(nextPodAddress('10.210.2.0/30', new Set(['10.210.2.1', '10.210.2.2'])), undefined, 'full');
  t.equal(nextPodAddress('10.210.2.0/31', new Set()), undefined, 'too small to hold a pod');
});

t.test('the plan: the pair and eth0 inside the namespace, then the outer end joins the bridge', async (t) => {
  const plan = vethPlan({ sandboxId: SB, ip: '10.210.1.5', prefixLength: 16, gateway: '10.210.0.1', bridge: 'shoal0', selfPid: 4242 });
  t.equal(plan.hostInterface, 'shv4b6e7a6a4947');
  t.ok(plan.hostInterface.length <= 15, 'fits an interface name');
  t.same(plan.inside, [
    'link add eth0 type veth peer name shv4b6e7a6a4947 netns 4242',
    'addr add 10.210.1.5/16 dev eth0',
    'link set eth0 up',
    'route add default via 10.210.0.1 dev eth0',
  ]);
  t.same(plan.outside, ['link set shv4b6e7a6a4947 master shoal0 up'], 'the bridge last: it marks a finished wiring');
  t.throws(() => hostInterfaceName('not-an-id; rm -rf /'), PodWiringError, 'only engine ids make names');
});

t.test('attach runs the plan in the sandbox namespace, then in ours, and stops at the first failure', async (t) => {
  const calls: { cmd: string; args: string[]; input: string }[] = [];
  const failing = new Set<string>();
  const run: CommandRunner = async (cmd, args, input) => {
    calls.push({ cmd, args, input });
    if (failing.has(cmd)) throw new PodWiringError(`${cmd} failed`);
  };
  const net = new VethSandboxNetwork({ bridge: 'shoal0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1', run, selfPid: 7 });
  await net.attach(SB, 999, '10.210.1.9');
  t.same(calls.map((c) => [c.cmd, ...c.args]), [['nsenter', '-t', '999', '-n', 'ip', '-batch', '-'], ['ip', '-batch', '-']]);
  t.match(calls[0]!.input, /^link add eth0 type veth peer name shv4b6e7a6a4947 netns 7\naddr add 10\.210\.1\.9\/16 dev eth0\n/);
  t.equal(calls[1]!.input, 'link set shv4b6e7a6a4947 master shoal0 up\n');

  calls.length = 0;
  failing.add('nsenter');
  await t.rejects(net.attach(SB, 999, '10.210.1.9'), PodWiringError);
  t.equal(calls.length, 1, 'the outer end is not touched when the inside failed');
  await t.rejects(net.attach(SB, 0, '10.210.1.9'), /no process to wire/, 'a sandbox that is not running cannot be wired');
});

t.test('addresses are handed out round the node slice', async (t) => {
  const net = new VethSandboxNetwork({ bridge: 'shoal0', nodeCIDR: '10.210.1.0/30', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1', run: async () => undefined });
  t.equal(net.nextAddress(new Set()), '10.210.1.1');
  t.equal(net.nextAddress(new Set()), '10.210.1.2', 'not the one just given, though nobody uses it yet');
  t.equal(net.nextAddress(new Set(['10.210.1.1'])), '10.210.1.2');
  t.equal(net.nextAddress(new Set(['10.210.1.1', '10.210.1.2'])), undefined, 'full');
});

t.test('a wiring counts as finished once the outer end has its bridge', async (t) => {
  const sys = mkdtempSync(join(tmpdir(), 'shoal-sysnet-'));
  t.teardown(() => rmSync(sys, { recursive: true, force: true }));
  const net = new VethSandboxNetwork({ bridge: 'shoal0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1', run: async () => undefined, sysClassNet: sys });
  t.notOk(net.attached(SB), 'no interface');
  mkdirSync(join(sys, 'shv4b6e7a6a4947'));
  t.notOk(net.attached(SB), 'the pair exists, the bridge step did not run');
  mkdirSync(join(sys, 'shv4b6e7a6a4947', 'master'));
  t.ok(net.attached(SB));
});

t.test('a configuration that cannot work is refused, naming what is wrong', async (t) => {
  const base = { bridge: 'shoal0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1' };
  t.throws(() => new VethSandboxNetwork({ ...base, nodeCIDR: '10.211.1.0/24' }), /nodeCIDR 10\.211\.1\.0\/24 is not inside podSubnet/);
  t.throws(() => new VethSandboxNetwork({ ...base, nodeCIDR: '10.0.0.0/8' }), /nodeCIDR/);
  t.throws(() => new VethSandboxNetwork({ ...base, gateway: '192.168.0.1' }), /gateway 192\.168\.0\.1/);
  t.throws(() => new VethSandboxNetwork({ ...base, bridge: 'a-bridge-name-too-long' }), /not an interface name/);
});

t.test('check asks ip for the bridge and nsenter for its version', async (t) => {
  const seen: string[] = [];
  const net = new VethSandboxNetwork({ bridge: 'shoal0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1', run: async (cmd, _a, input) => { seen.push(`${cmd}:${input.trim()}`); } });
  await net.check();
  t.same(seen, ['ip:link show shoal0', 'nsenter:']);
  const missing = new VethSandboxNetwork({ bridge: 'shoal0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1' , run: async (cmd) => { if (cmd === 'nsenter') throw new PodWiringError('nsenter: ENOENT'); } });
  await t.rejects(missing.check(), /nsenter/);
});

t.test('the real runner reports a failing command with its stderr', async (t) => {
  const net = new VethSandboxNetwork({ bridge: 'no-such-br0', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', gateway: '10.210.0.1' });
  await t.rejects(net.check(), /no-such-br0/);
});
