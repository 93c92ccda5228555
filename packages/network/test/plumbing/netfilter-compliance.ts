/**
 * What every Netfilter must do, run against MemoryNetfilter (unit tier) and
 * IptablesNetfilter (end-to-end tier, real iptables). Rules are written in
 * iptables' canonical `-S` form so both read back the same words. Only
 * chains named `${prefix}*` are touched.
 */
import type { Test } from 'tap';
import type { Netfilter, Rule } from '../../src/plumbing/netfilter.js';

export async function netfilterCompliance(t: Test, nf: Netfilter, prefix: string): Promise<void> {
  const parent = `${prefix}P`;
  const child = `${prefix}C`;
  t.teardown(async () => {
    await nf.deleteChain('nat', parent).catch(() => {});
    await nf.deleteChain('nat', child).catch(() => {});
  });
  const dnat: Rule = ['-d', '10.96.0.10/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-m', 'comment', '--comment', 'shoal:test node', '-j', 'DNAT', '--to-destination', '10.210.0.1:41000'];
  const second: Rule = ['-s', '10.210.1.0/24', '-d', '10.96.0.11/32', '-p', 'udp', '-m', 'udp', '--dport', '53', '-j', 'DNAT', '--to-destination', '10.210.0.1:41001'];

  t.same(await nf.listRules('nat', child), [], 'a missing chain lists no rules');
  await nf.replaceChain('nat', child, [dnat, second]);
  t.ok((await nf.listChains('nat')).includes(child), 'chain created');
  t.same(await nf.listRules('nat', child), [dnat, second], 'rules read back word for word, comment with a space included');
  await nf.replaceChain('nat', child, [second]);
  t.same(await nf.listRules('nat', child), [second], 'content replaced, not appended');

  await nf.replaceChain('nat', parent, []);
  const jumpA: Rule = ['-m', 'comment', '--comment', 'shoal:test', '-j', child];
  const jumpB: Rule = ['-s', '10.210.0.0/16', '-j', child];
  await nf.ensureRule('nat', parent, jumpA);
  await nf.ensureRule('nat', parent, jumpA);
  await nf.ensureRule('nat', parent, jumpB, 'tail');
  await nf.ensureRule('nat', parent, ['-j', 'RETURN'], 'head');
  t.same(await nf.listRules('nat', parent), [['-j', 'RETURN'], jumpA, jumpB], 'head and tail, no duplicates');
  await t.rejects(nf.deleteChain('nat', child), { name: 'NetfilterError' }, 'a referenced chain cannot be deleted');
  await nf.deleteRule('nat', parent, jumpA);
  await nf.deleteRule('nat', parent, jumpA);
  await nf.deleteRule('nat', parent, jumpB);
  t.same(await nf.listRules('nat', parent), [['-j', 'RETURN']], 'deleted, and deleting an absent rule is a no-op');
  await nf.deleteChain('nat', child);
  await nf.deleteChain('nat', child);
  await nf.deleteChain('nat', parent);
  const left = (await nf.listChains('nat')).filter((c) => c.startsWith(prefix));
  t.same(left, [], 'chains gone');
}
