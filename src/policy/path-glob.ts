/**
 * OpenBao's path matching, enough to ask "could this policy path cover that request
 * path?": a trailing `*` is a prefix glob, `+` is exactly one segment, anything else is
 * literal (a `*` inside a path is just a character). An identity template stands for
 * one unknown segment value.
 * https://openbao.org/docs/concepts/policies/#policy-syntax
 */

const TEMPLATE = /\{\{[^}]*\}\}/g;

/** The path as OpenBao keys it: no leading slash. */
export function normalisePath(path: string): string {
  return path.replace(/^\/+/, '');
}

export function pathCovers(pattern: string, requestPath: string): boolean {
  const path = normalisePath(pattern);
  const prefix = path.endsWith('*');
  const body = prefix ? path.slice(0, -1) : path;
  const regex = body
    .split(TEMPLATE)
    .map((literal) =>
      literal
        .split('/')
        .map((seg) => (seg === '+' ? '[^/]+' : escape(seg)))
        .join('/'),
    )
    .join('[^/]+');
  return new RegExp(`^${regex}${prefix ? '.*' : ''}$`).test(requestPath);
}

/** True when the pattern covers paths in every corner of OpenBao: `*`, `+/*` and the like. */
export function coversEverything(pattern: string): boolean {
  return ['sys/policies/acl/x', 'identity/entity/id/x', 'auth/token/create', 'kv/data/x/y'].every((p) => pathCovers(pattern, p));
}

export function templatesIn(path: string): string[] {
  return [...path.matchAll(TEMPLATE)].map((m) => m[0].slice(2, -2).trim());
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
