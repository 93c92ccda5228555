import t from 'tap';
import { parseConfig, ConfigError } from '../src/config.js';

const good = `
cluster: { id: test, profile: local }
defaults: { apiPort: 7100 }
nodes:
  - { name: n1, address: 127.0.0.1 }
  - { name: n2, address: 127.0.0.2, apiPort: 7200 }
`;

t.test('a good config fills defaults and picks the node', async (t) => {
  const c = parseConfig(good, 'x.yaml', 'n2', '/base');
  t.equal(c.self.name, 'n2');
  t.equal(c.self.apiPort, 7200);
  t.equal(c.nodes[0]!.apiPort, 7100);
  t.equal(c.self.dataDir, '/base/.shoal/data/n2');
  t.equal(c.cluster.targetVoters, 3);
  t.equal(c.timing.raftTickMs, 25, 'local profile timing');
  t.same(c.cluster.nodePortRange, [30000, 32767]);
  t.equal(c.cluster.podWiring, 'veth', 'Shoal wires pods unless told otherwise');
  t.equal(c.cluster.podSubnet, '10.210.0.0/16');
  t.equal(c.cluster.bridgeNetwork, 'shoal0');
  const other = parseConfig(good.replace('profile: local', 'profile: local, podWiring: docker, podSubnet: 10.77.0.0/16, bridgeNetwork: shoal-b'), 'x.yaml', 'n1').cluster;
  t.same([other.podWiring, other.podSubnet, other.bridgeNetwork], ['docker', '10.77.0.0/16', 'shoal-b']);
  t.equal(c.timing.snapshotLogPercent, 100, 'snapshots spaced by the state size');
  t.equal(parseConfig(`${good}timing: { snapshotLogPercent: 0 }\n`, 'x.yaml', 'n1').timing.snapshotLogPercent, 0, '0 turns that off');
  t.throws(() => parseConfig(`${good}timing: { snapshotEntries: 0 }\n`, 'x.yaml', 'n1'), /timing\.snapshotEntries/, 'other timing values stay positive');
});

const bad: [string, string, RegExp][] = [
  ['unknown field', good.replace('profile: local', 'profile: local, colour: red'), /cluster\.colour: unknown field/],
  ['bad profile', good.replace('profile: local', 'profile: fast'), /cluster\.profile: must be one of local, lan, wan/],
  ['bad address', good.replace('127.0.0.2', '127.0.0.300'), /nodes\[1\]\.address: must be an IPv4 address/],
  ['port range', good.replace('apiPort: 7200', 'apiPort: 70000'), /nodes\[1\]\.apiPort: must be between 1 and 65535/],
  ['even voters', good.replace('profile: local', 'profile: local, targetVoters: 2'), /cluster\.targetVoters: must be odd/],
  ['duplicate name', good.replace('name: n2', 'name: n1'), /nodes\[1\]\.name: duplicate node name/],
  ['port clash', good.replace('127.0.0.2, apiPort: 7200', '127.0.0.1'), /nodes\[1\]\.apiPort: 127\.0\.0\.1:7100 is already used by nodes\[0\]\.apiPort/],
  ['missing node', good, /nodes: no node named "n9"/],
  ['not yaml', 'cluster: [', /not valid YAML/],
  ['pod wiring', good.replace('profile: local', 'profile: local, podWiring: cni'), /cluster\.podWiring: must be veth or docker, got "cni"/],
  ['pod subnet', good.replace('profile: local', 'profile: local, podSubnet: 10.1.2.0/24'), /cluster\.podSubnet: must hold node slices of \/24/],
  ['bridge name', good.replace('profile: local', 'profile: local, bridgeNetwork: a-very-long-bridge-name'), /cluster\.bridgeNetwork: must be 1-15/],
  ['bad name', good.replace('name: n2', 'name: N_2'), /nodes\[1\]\.name: must be a DNS label/],
];

for (const [what, text, re] of bad) {
  t.test(`refused: ${what}`, async (t) => {
    t.throws(() => parseConfig(text, 'x.yaml', what === 'missing node' ? 'n9' : 'n1'), re);
    try {
      parseConfig(text, 'x.yaml', 'n1');
    } catch (err) {
      t.type(err, ConfigError);
    }
  });
}

t.test('the shipped configs load', async (t) => {
  const { loadConfig } = await import('../src/config.js');
  const c = loadConfig(new URL('../../../cluster-config/local-3node.yaml', import.meta.url).pathname, 'node-3');
  t.equal(c.nodes.length, 3);
  t.equal(c.self.address, '127.0.0.3');
  t.match(c.self.dataDir, /\.shoal\/data\/node-3$/);
  const s = loadConfig(new URL('../../../cluster-config/single-node.yaml', import.meta.url).pathname, 'node-1');
  t.equal(s.cluster.targetVoters, 1);
});
