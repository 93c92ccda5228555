/** "0/3 nodes are available: 2 Insufficient memory, 1 node(s) were unschedulable." */
export function failureMessage(totalNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (totalNodes === 0) return '0/0 nodes are available: no nodes in the cluster.';
  const parts = [...reasons].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([reason, n]) => `${n} ${reason}`);
  return `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
}
