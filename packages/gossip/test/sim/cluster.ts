/** Helpers shared by the simulation tests: build a converged cluster. */
import { SimNetwork, AliveViews, type SimOptions } from './sim-network.js';

export interface Cluster { net: SimNetwork; views: AliveViews; names: string[] }

/** n members named m0..m{n-1}, all joined through m0 and seeing each other alive. */
export function startCluster(n: number, opts: SimOptions): Cluster {
  const net = new SimNetwork(opts);
  const views = new AliveViews(net);
  const names = Array.from({ length: n }, (_, i) => `m${i}`);
  for (const name of names) net.add(name);
  for (const name of names.slice(1)) net.join(name, ['m0']);
  net.run(net.now + 60_000, () => views.complete(names));
  if (!views.complete(names)) throw new Error(`setup: ${n} members did not converge in 60 s`);
  return { net, views, names };
}

/** Count events of one type, by member the event is about. */
export function countEvents(net: SimNetwork, type: string): Map<string, number> {
  const counts = new Map<string, number>();
  net.onEvent((_node, e) => {
    if (e.type === type) counts.set(e.member.name, (counts.get(e.member.name) ?? 0) + 1);
  });
  return counts;
}
