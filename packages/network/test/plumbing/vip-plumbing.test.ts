import t from 'tap';
import { silentLogger } from '@shoal/log';
import { MemoryNetfilter } from '../../src/plumbing/netfilter.js';
import { VipPlumbing, removeNodeRules } from '../../src/plumbing/vip-plumbing.js';
import { serviceChain, vipRules, jumpRules } from '../../src/plumbing/vip-rules.js';
import { splitRuleLine } from '../../src/plumbing/iptables.js';

const web = { vip: '10.96.0.10', port: 80, protocol: 'tcp' as const, to: { host: '10.210.0.1', port: 41000 } };
const dns = { vip: '10.210.0.1', port: 53, protocol: 'udp' as const, to: { host: '10.210.0.1', port: 41001 } };

t.test('rules match the node slice and DNAT to the node proxy, tagged with the owner', async (t) => {
  t.same(vipRules({ node: 'n1', nodeCIDR: '10.210.1.0/24' }, [web]), [[
    '-s', '10.210.1.0/24', '-d', '10.96.0.10/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80',
    '-m', 'comment', '--comment', 'shoal:n1', '-j', 'DNAT', '--to-destination', '10.210.0.1:41000',
  ]]);
  const withHost = vipRules({ node: 'n1', nodeCIDR: '10.210.1.0/24', hostTraffic: true }, [web, dns]);
  t.equal(withHost.length, 4);
  t.same(withHost[2]!.slice(0, 4), ['-m', 'addrtype', '--src-type', 'LOCAL']);
  t.same(vipRules({ node: 'n1', nodeCIDR: '10.210.1.0/24' }, [web, dns]), vipRules({ node: 'n1', nodeCIDR: '10.210.1.0/24' }, [dns, web]), 'order-independent');
});

t.test('chain names fit iptables\' 28 characters and stay distinct', async (t) => {
  t.equal(serviceChain('node-1'), 'SHOAL-SVC-node-1');
  const a = serviceChain('a-very-long-node-name-number-one');
  const b = serviceChain('a-very-long-node-name-number-two');
  t.ok(a.length <= 28 && b.length <= 28);
  t.not(a, b);
  t.equal(jumpRules('n1').length, 2);
});

t.test('start, sync, stop leave nothing behind; two nodes share a table', async (t) => {
  const nf = new MemoryNetfilter();
  const docker = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'];
  nf.tables.nat.get('PREROUTING')!.push(docker);
  const p1 = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', netfilter: nf, logger: silentLogger });
  const p2 = new VipPlumbing({ node: 'n2', nodeCIDR: '10.210.2.0/24', netfilter: nf, logger: silentLogger });
  await t.rejects(p1.sync([web]), { name: 'PlumbingNotStartedError' });
  await p1.start();
  await p2.start();
  await p1.sync([web, dns]);
  await p2.sync([{ ...web, to: { host: '10.210.0.1', port: 42000 } }]);
  t.equal((await nf.listRules('nat', 'SHOAL-SVC-n1')).length, 2);
  t.same((await nf.listRules('nat', 'SHOAL-SVC-n2'))[0]!.at(-1), '10.210.0.1:42000');
  t.equal((await nf.listRules('nat', 'PREROUTING'))[0]!.at(-1), 'SHOAL-SVC-n2', 'jumps go first');
  t.equal((await nf.listRules('nat', 'PREROUTING')).length, 3);
  await p1.sync([web]);
  t.equal((await nf.listRules('nat', 'SHOAL-SVC-n1')).length, 1, 'content replaced');
  await p1.stop();
  t.notOk((await nf.listChains('nat')).includes('SHOAL-SVC-n1'));
  t.same(await nf.listRules('nat', 'PREROUTING'), [jumpRules('n2')[0]!.rule, docker], 'n2 and Docker untouched');
  await p2.stop();
  t.same(await nf.listRules('nat', 'PREROUTING'), [docker]);
  t.same(await nf.listRules('nat', 'OUTPUT'), []);
});

t.test('a restarted daemon removes what a crashed run left, then rebuilds', async (t) => {
  const nf = new MemoryNetfilter();
  const crashed = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', netfilter: nf, logger: silentLogger });
  await crashed.start();
  await crashed.sync([web, dns]);
  // Simulate a leftover duplicate jump too (e.g. an older version inserted twice).
  nf.tables.nat.get('OUTPUT')!.push([...jumpRules('n1')[1]!.rule]);
  const again = new VipPlumbing({ node: 'n1', nodeCIDR: '10.210.1.0/24', netfilter: nf, logger: silentLogger });
  await again.start();
  t.same(await nf.listRules('nat', 'SHOAL-SVC-n1'), [], 'fresh chain');
  t.equal((await nf.listRules('nat', 'OUTPUT')).length, 1, 'one jump');
  await again.sync([web]);
  t.equal((await nf.listRules('nat', 'SHOAL-SVC-n1')).length, 1);
  t.equal(await removeNodeRules(nf, 'n1'), 3, 'two jumps and one rule');
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
