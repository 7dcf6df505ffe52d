/** Anything placed in a reporting tree: an employee row, a workload row. */
export type TreeNode = { id: string; managerId: string | null; name: string };
export type TreeRow<T> = { node: T; depth: number; hasChildren: boolean };

/** Depth-first order of the reporting tree; people whose manager is unknown (or filtered out) are roots. */
export function flattenTree<T extends TreeNode>(nodes: readonly T[], collapsed: ReadonlySet<string> = new Set()): TreeRow<T>[] {
  const ids = new Set(nodes.map((e) => e.id));
  const children = new Map<string | null, T[]>();
  for (const e of nodes) {
    const parent = e.managerId && ids.has(e.managerId) && e.managerId !== e.id ? e.managerId : null;
    const arr = children.get(parent) ?? [];
    arr.push(e);
    children.set(parent, arr);
  }
  for (const arr of children.values()) arr.sort((a, b) => a.name.localeCompare(b.name));
  const rows: TreeRow<T>[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const e of children.get(parent) ?? []) {
      if (seen.has(e.id)) continue; // guards against cycles in bad data
      seen.add(e.id);
      const kids = children.get(e.id) ?? [];
      rows.push({ node: e, depth, hasChildren: kids.length > 0 });
      if (!collapsed.has(e.id)) walk(e.id, depth + 1);
    }
  };
  walk(null, 0);
  // Anything left is part of a cycle: show it at the top level rather than hide it.
  for (const e of nodes) if (!seen.has(e.id) && !collapsed.has(e.managerId ?? '')) rows.push({ node: e, depth: 0, hasChildren: false });
  return rows;
}
