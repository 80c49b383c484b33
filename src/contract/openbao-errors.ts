/**
 * OpenBao's error body is {"errors": ["…"]}. Shared by the broker's OpenBao client and the
 * SDK's small user-side client, which may import nothing but contract/.
 */
export function parseOpenBaoErrors(text: string): string[] {
  let json: { errors?: unknown } | undefined;
  try {
    json = JSON.parse(text) as { errors?: unknown };
  } catch {
    return [];
  }
  return json && Array.isArray(json.errors) ? json.errors.filter((e): e is string => typeof e === 'string') : [];
}
