/** Readers of EXPLAIN (FORMAT JSON) plans, for the specs that check how PostgreSQL runs the engine's statements. */

/** Every index a plan reads. */
export function indexesOf(node: any, found: string[] = []): string[] {
  if (node['Index Name']) found.push(node['Index Name']);
  for (const child of node.Plans ?? []) indexesOf(child, found);
  return found;
}

/** The largest number of rows any deliveries scan of the plan read (EXPLAIN ANALYZE), over its loops. */
export function largestDeliveriesScan(node: any): number {
  const own = node['Relation Name'] === 'deliveries' ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return Math.max(own, ...(node.Plans ?? []).map(largestDeliveriesScan));
}
