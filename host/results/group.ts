// Grouping in one pass: each item is appended to its group's array, so grouping n items costs O(n), however
// large a group grows (copying a group on every item made a 300,000-row file take minutes).

export function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
