import t from 'tap';
import { silentLogger } from '@shoal/log';
import { MemoryNetfilter } from '../../src/plumbing/netfilter.js';
import { VipPlumbing, removeAllShoalRules, removeNodeRules } from '../../src/plumbing/vip-plumbing.js';
import { jumpRules, serviceChain, sourceRules, vipChain, vipRules } from '../../src/plumbing/vip-rules.js';
import { splitRuleLine } from '../../src/plumbing/iptables.js';

const web = { vip: '10.96.0.10', port: 80, protocol: 'tcp' as const, to: { host: '10.210.0.1', port: 41000 } };
const dns = { vip: '10.210.0.1', port: 53, protocol: 'udp' as const, to: { host: '10.210.0.1', port: 41001 } };
const docker = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'];

t.test('DNAT rules send VIP:port to the node proxy, tagged with the owner', async (t) => {
  t.same(vipRules('n1', [web]), [[
    '-d', '10.96.0.10/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80',
    '-m', 'comment', '--comment', 'shoal:n1', '-j', 'DNAT', '--to-destination', '10.210.0.1:41000',
  ]]);
  t.same(vipRules('n1', [web, dns]), vipRules('n1', [dns, web]), 'order-independent');
});

t.test('the dispatch chain claims the node slice, extra pod IPs and optionally host traffic', async (t) => {
  const rules = sourceRules({ node: 'n1', nodeCIDR: '10.210.1.0/24', hostTraffic: true }, ['10.210.0.7', '10.210.1.0/24']);
  t.same(rules.map((r) => r.slice(0, 4).join(' ')), ['-s 10.210.1.0/24 -m comment', '-s 10.210.0.7/32 -m comment', '-m addrtype --src-type LOCAL']);
  t.ok(rules.every((r) => r.at(-1) === 'SHOAL-VIP-n1'));
});

t.test('chain names fit iptables\' 28 characters and stay distinct', async (t) => {
  t.equal(serviceChain('node-1'), 'SHOAL-SVC-node-1');
  t.equal(vipChain('node-1'), 'SHOAL-VIP-node-1');
  const a = serviceChain('a-very-long-node-name-number-one');
  const b = serviceChain('a-very-long-node-name-number-two');
  t.ok(a.length <= 28 && b.length <= 28);
  t.not(a, b);
  t.same(jumpRules({ node: 'n1' }).map((j) => `${j.chain}@${j.at}`), ['PREROUTING@head', 'OUTPUT@head']);
  t.same(jumpRules({ node: 'n1', podSubnet: '10.210.0.0/16' }).map((j) => `${j.chain}@${j.at}`), ['PREROUTING@head', 'OUTPUT@head', 'PREROUTING@tail']);
});

t.test('start, sync, stop leave nothing behind; two nodes share a table', async (t) => {
  const nf = new MemoryNetfilter();
  nf.tables.nat.get('PREROUTING')!.push(docker);
  const p1 = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', netfilter: nf, logger: silentLogger });
  const p2 = new VipPlumbing({ node: 'n2', nodeCIDR: '10.210.2.0/24', podSubnet: '10.210.0.0/16', netfilter: nf, logger: silentLogger });
  await t.rejects(p1.sync([web]), { name: 'PlumbingNotStartedError' });
  await p1.start();
  await p2.start();
  await p1.sync([web, dns]);
  await p2.sync([{ ...web, to: { host: '10.210.0.1', port: 42000 } }], ['10.210.0.9']);
  t.equal((await nf.listRules('nat', 'SHOAL-VIP-n1')).length, 2);
  t.same((await nf.listRules('nat', 'SHOAL-VIP-n2'))[0]!.at(-1), '10.210.0.1:42000');
  t.equal((await nf.listRules('nat', 'SHOAL-SVC-n2')).length, 2, 'slice + one pod outside it');
  const pre = await nf.listRules('nat', 'PREROUTING');
  t.same(pre.map((r) => r.at(-1)), ['SHOAL-SVC-n2', 'SHOAL-SVC-n1', 'DOCKER', 'SHOAL-VIP-n1', 'SHOAL-VIP-n2'], 'dispatch at the head, fallbacks at the tail (first daemon first)');
  await p1.sync([web]);
  t.equal((await nf.listRules('nat', 'SHOAL-VIP-n1')).length, 1, 'content replaced');
  await p1.stop();
  t.notOk((await nf.listChains('nat')).some((c) => c.endsWith('-n1')));
  t.same((await nf.listRules('nat', 'PREROUTING')).map((r) => r.at(-1)), ['SHOAL-SVC-n2', 'DOCKER', 'SHOAL-VIP-n2'], 'n2 and Docker untouched');
  await p2.stop();
  t.same(await nf.listRules('nat', 'PREROUTING'), [docker]);
  t.same(await nf.listRules('nat', 'OUTPUT'), []);
});

t.test('a restarted daemon removes what a crashed run left, then rebuilds', async (t) => {
  const nf = new MemoryNetfilter();
  const crashed = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', netfilter: nf, logger: silentLogger });
  await crashed.start();
  await crashed.sync([web, dns]);
  // A leftover duplicate jump too (e.g. an older version inserted twice).
  nf.tables.nat.get('OUTPUT')!.push([...jumpRules({ node: 'n1' })[1]!.rule]);
  const again = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', netfilter: nf, logger: silentLogger });
  await again.start();
  t.same(await nf.listRules('nat', 'SHOAL-VIP-n1'), [], 'fresh DNAT chain');
  t.equal((await nf.listRules('nat', 'OUTPUT')).length, 1, 'one jump');
  await again.sync([web]);
  t.equal((await nf.listRules('nat', 'SHOAL-VIP-n1')).length, 1);
  t.equal(await removeNodeRules(nf, 'n1'), 4, 'two jumps, one source rule, one DNAT rule');
  t.equal(await removeNodeRules(nf, 'n1'), 0, 'idempotent');
});

t.test('the memory twin refuses what iptables refuses', async (t) => {
  const nf = new MemoryNetfilter();
  await t.rejects(nf.ensureRule('nat', 'PREROUTING', ['-j', 'SHOAL-SVC-x']), { name: 'NetfilterError' }, 'jump to a missing chain');
  await nf.replaceChain('nat', 'SHOAL-SVC-x', []);
  await nf.ensureRule('nat', 'PREROUTING', ['-j', 'SHOAL-SVC-x']);
  await t.rejects(nf.deleteChain('nat', 'SHOAL-SVC-x'), { name: 'NetfilterError' }, 'chain still referenced');
  await t.rejects(nf.deleteChain('nat', 'OUTPUT'), { name: 'NetfilterError' });
  await t.rejects(nf.ensureRule('nat', 'NOPE', ['-j', 'ACCEPT']), { name: 'NetfilterError' });
});

t.test('iptables -S lines are split like a shell would', async (t) => {
  t.same(splitRuleLine('-A PREROUTING -m comment --comment "shoal:n 1" -j SHOAL-SVC-n1'), ['-A', 'PREROUTING', '-m', 'comment', '--comment', 'shoal:n 1', '-j', 'SHOAL-SVC-n1']);
  t.same(splitRuleLine('-A X -m comment --comment "a \\"q\\""'), ['-A', 'X', '-m', 'comment', '--comment', 'a "q"']);
});

t.test('removeAllShoalRules clears every node of the host, and only Shoal\'s rules', async (t) => {
  const nf = new MemoryNetfilter();
  nf.tables.nat.get('PREROUTING')!.push(docker);
  for (const n of ['n1', 'n2', 'n3']) {
    const p = new VipPlumbing({ node: n, nodeCIDR: '10.210.1.0/24', podSubnet: '10.210.0.0/16', netfilter: nf, logger: silentLogger });
    await p.start();
    await p.sync([web]);
  }
  t.equal(await removeAllShoalRules(nf), 3 * (3 + 1 + 1));
  t.same(await nf.listRules('nat', 'PREROUTING'), [docker]);
  t.same((await nf.listChains('nat')).filter((c) => c.startsWith('SHOAL')), []);
});
