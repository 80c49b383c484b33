/** Names of the fields of `wanted` whose value differs in `current` (lists compared as sets). */
export function differingFields(wanted: object, current: object): string[] {
  const have = current as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([key, value]) => JSON.stringify(normalise(value)) !== JSON.stringify(normalise(have[key])))
    .map(([key]) => key);
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? [...value].sort() : value;
}
