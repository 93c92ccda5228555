import t from 'tap';
import { contains, intToIp, ipToInt, nth, overlaps, parseCidr, formatCidr } from '../../src/plumbing/cidr.js';
import { nextPodAddress, inSlice, podNetworkPlan, upperHalf } from '../../src/plumbing/pod-subnets.js';

t.test('addresses and blocks', async (t) => {
  t.equal(ipToInt('10.210.0.1'), 0x0ad20001);
  t.equal(intToIp(0xffffffff), '255.255.255.255');
  t.equal(formatCidr(parseCidr('10.210.7.9/16')), '10.210.0.0/16', 'host bits cleared');
  t.ok(contains(parseCidr('10.210.0.0/16'), '10.210.255.1'));
  t.notOk(contains(parseCidr('10.210.0.0/16'), '10.211.0.1'));
  t.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.210.0.0/16')));
  t.notOk(overlaps(parseCidr('172.17.0.0/16'), parseCidr('10.210.0.0/16')));
  t.equal(nth(parseCidr('0.0.0.0/0'), 5), '0.0.0.5');
  for (const bad of ['10.0.0.0', '10.0.0/8', '10.0.0.0/33', '1.2.3.256/8', '10.0.0.0/8/1']) t.throws(() => parseCidr(bad), { name: 'CidrError' }, bad);
  t.throws(() => nth(parseCidr('10.0.0.0/30'), 4), { name: 'CidrError' });
});

t.test('each node owns one slice; the gateway sits in slice 0', async (t) => {
  t.same(podNetworkPlan('10.210.0.0/16', 1), { subnet: '10.210.0.0/16', gateway: '10.210.0.1', nodeCIDR: '10.210.1.0/24', dynamicRange: '10.210.128.0/17' });
  t.equal(podNetworkPlan('10.210.0.0/16', 127).nodeCIDR, '10.210.127.0/24', 'the last slice below Docker\'s pool');
  t.throws(() => podNetworkPlan('10.210.0.0/16', 128), { name: 'CidrError' }, 'slice 128 is in Docker\'s pool');
  t.equal(upperHalf('10.0.0.0/8'), '10.128.0.0/9');
  t.throws(() => upperHalf('10.0.0.1/32'), { name: 'CidrError' });
  t.equal(podNetworkPlan('10.210.0.0/16', 3).nodeCIDR, '10.210.3.0/24');
  t.equal(podNetworkPlan('10.210.0.0/16', 3, 26).nodeCIDR, '10.210.0.192/26');
  t.throws(() => podNetworkPlan('10.210.0.0/16', 0), { name: 'CidrError' }, 'slice 0 is the gateway\'s');
  t.throws(() => podNetworkPlan('10.210.0.0/16', 256), { name: 'CidrError' });
  t.throws(() => podNetworkPlan('10.210.0.0/24', 1, 25), { name: 'CidrError' }, 'no room beside Docker\'s pool');
  t.throws(() => podNetworkPlan('10.210.0.0/24', 1, 16), { name: 'CidrError' });
});

t.test('free pod addresses come from the slice, skipping used ones', async (t) => {
  t.equal(nextPodAddress('10.210.2.0/24', new Set()), '10.210.2.1');
  t.equal(nextPodAddress('10.210.2.0/24', new Set(['10.210.2.1', '10.210.2.2'])), '10.210.2.3');
  t.equal(nextPodAddress('10.210.2.0/30', new Set(['10.210.2.1', '10.210.2.2'])), undefined, 'full');
  t.ok(inSlice('10.210.2.0/24', '10.210.2.200'));
  t.notOk(inSlice('10.210.2.0/24', '10.210.3.1'));
});
