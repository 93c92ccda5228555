import t from 'tap';
import { networkSettings } from '../src/network-config.js';

t.test('defaults give node i the slice i of 10.210.0.0/16', async (t) => {
  t.same(networkSettings({ node: 'node-2', nodeIndex: 2, nodeAddress: '127.0.0.2' }), {
    node: 'node-2', nodeAddress: '127.0.0.2',
    serviceCIDR: '10.96.0.0/16', podSubnet: '10.210.0.0/16', nodeCIDR: '10.210.2.0/24', gateway: '10.210.0.1', dynamicRange: '10.210.128.0/17',
    bridgeNetwork: 'shoal0', clusterDomain: 'cluster.local',
  });
  const custom = networkSettings({ node: 'n', nodeIndex: 5, serviceCIDR: '10.100.0.0/20', podSubnet: '172.30.0.0/16', nodeSliceBits: 26, clusterDomain: 'Shoal.Test.', bridgeNetwork: 'pods1' });
  t.equal(custom.nodeCIDR, '172.30.1.64/26');
  t.equal(custom.clusterDomain, 'shoal.test');
  t.equal(custom.serviceCIDR, '10.100.0.0/20');
});

t.test('bad settings name their field', async (t) => {
  const bad: [Parameters<typeof networkSettings>[0], string][] = [
    [{ node: '', nodeIndex: 1 }, 'node'],
    [{ node: 'n', nodeIndex: 0 }, 'nodeIndex'],
    [{ node: 'n', nodeIndex: 1, serviceCIDR: '10.96.0.0' }, 'serviceCIDR'],
    [{ node: 'n', nodeIndex: 1, podSubnet: 'x/8' }, 'podSubnet'],
    [{ node: 'n', nodeIndex: 1, serviceCIDR: '10.0.0.0/8' }, 'serviceCIDR'],
    [{ node: 'n', nodeIndex: 1, clusterDomain: 'bad_domain' }, 'clusterDomain'],
    [{ node: 'n', nodeIndex: 1, bridgeNetwork: 'a-name-far-too-long' }, 'bridgeNetwork'],
  ];
  for (const [input, field] of bad) t.throws(() => networkSettings(input), { name: 'NetworkConfigError', field }, field);
});
