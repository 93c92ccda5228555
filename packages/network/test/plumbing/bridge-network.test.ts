import t from 'tap';
import { silentLogger } from '@shoal/log';
import { ensureBridgeNetwork, removeBridgeNetwork, type DockerNetworkInfo, type DockerNetworks } from '../../src/plumbing/bridge-network.js';

class FakeDocker implements DockerNetworks {
  nets: DockerNetworkInfo[] = [{ Name: 'bridge', Id: 'b0', IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } }];
  created: unknown[] = [];
  raceWith: DockerNetworkInfo | undefined;
  async listNetworks() { return this.nets.map((n) => ({ ...n })); }
  async createNetwork(opts: Parameters<DockerNetworks['createNetwork']>[0]) {
    if (this.raceWith) { this.nets.push(this.raceWith); throw new Error('409 already exists'); }
    this.created.push(opts);
    this.nets.push({ Name: opts.Name, Id: `id-${opts.Name}`, IPAM: { Config: opts.IPAM.Config }, ...(opts.Options ? { Options: opts.Options } : {}) });
    return {};
  }
  getNetwork(id: string) { return { remove: async () => { this.nets = this.nets.filter((n) => n.Id !== id); } }; }
}

/** An engine where another daemon's create of the same network is under way: ours is refused, theirs shows up a few lists later. */
class SlowRaceDocker extends FakeDocker {
  constructor(private listsUntilVisible: number, private readonly theirs: DockerNetworkInfo) {
    super();
  }
  override async listNetworks() {
    if (this.listsUntilVisible-- === 0) this.nets.push(this.theirs);
    return super.listNetworks();
  }
  override async createNetwork(): Promise<unknown> {
    throw new Error('(HTTP code 403) unexpected - Pool overlaps with other one on this address space');
  }
}

const cfg = { subnet: '10.210.0.0/16', gateway: '10.210.0.1', logger: silentLogger };

t.test('creates shoal0 once, then reuses it', async (t) => {
  const d = new FakeDocker();
  t.same(await ensureBridgeNetwork(d, cfg), { id: 'id-shoal0', created: true, bridge: 'shoal0' });
  t.same(d.created, [{
    Name: 'shoal0', Driver: 'bridge', CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: '10.210.0.0/16', Gateway: '10.210.0.1', IPRange: '10.210.128.0/17' }] },
    Options: { 'com.docker.network.bridge.name': 'shoal0' }, Labels: { 'io.shoal.network': 'true' },
  }]);
  t.same(await ensureBridgeNetwork(d, cfg), { id: 'id-shoal0', created: false, bridge: 'shoal0' }, 'with the bridge interface the network names');
  t.equal(await removeBridgeNetwork(d), true);
  // A network made without a bridge name has Docker's default one.
  d.nets.push({ Name: 'shoal0', Id: '0123456789abcdef', IPAM: { Config: [{ Subnet: '10.210.0.0/16' }] } });
  t.same(await ensureBridgeNetwork(d, cfg), { id: '0123456789abcdef', created: false, bridge: 'br-0123456789ab' });
  t.equal(await removeBridgeNetwork(d), true);
  t.equal(await removeBridgeNetwork(d), false);
});

t.test('refuses colliding subnets', async (t) => {
  const d = new FakeDocker();
  await t.rejects(ensureBridgeNetwork(d, { ...cfg, subnet: '172.17.5.0/24', gateway: '172.17.5.1' }), { name: 'SubnetCollisionError' });
  d.nets.push({ Name: 'shoal0', Id: 'x', IPAM: { Config: [{ Subnet: '10.99.0.0/16' }] } });
  await t.rejects(ensureBridgeNetwork(d, cfg), { name: 'SubnetCollisionError', message: /exists with subnet 10.99.0.0\/16/ });
  await t.rejects(ensureBridgeNetwork(new FakeDocker(), { ...cfg, subnet: '127.0.0.0/8', gateway: '127.0.0.254' }), { name: 'SubnetCollisionError', message: /host addresses/ });
});

t.test('another daemon winning the create race is fine', async (t) => {
  const d = new FakeDocker();
  d.raceWith = { Name: 'shoal0', Id: 'other', IPAM: { Config: [{ Subnet: '10.210.0.0/16' }] }, Options: { 'com.docker.network.bridge.name': 'shoal0' } };
  t.same(await ensureBridgeNetwork(d, cfg), { id: 'other', created: false, bridge: 'shoal0' });
  const e = new FakeDocker();
  e.createNetwork = async () => { throw new Error('boom'); };
  await t.rejects(ensureBridgeNetwork(e, { ...cfg, raceWaitMs: 250 }), { name: 'BridgeNetworkError' }, 'a create that fails with no network appearing');
  // The engine refuses our create while another daemon's is still under way (seen on Docker 20.10).
  const theirs = { Name: 'shoal0', Id: 'theirs', IPAM: { Config: [{ Subnet: '10.210.0.0/16' }] }, Options: { 'com.docker.network.bridge.name': 'shoal0' } };
  t.same(await ensureBridgeNetwork(new SlowRaceDocker(4, theirs), cfg), { id: 'theirs', created: false, bridge: 'shoal0' }, 'waits for the network being created');
  await t.rejects(ensureBridgeNetwork(new SlowRaceDocker(4, { ...theirs, IPAM: { Config: [{ Subnet: '10.99.0.0/16' }] } }), cfg), { name: 'SubnetCollisionError' }, 'and still checks its subnet');
});
