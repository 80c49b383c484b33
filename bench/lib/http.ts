import { Pool } from 'undici';

export const REQUEST_TIMEOUT_MS = 10_000;

/** One keep-alive connection per concurrent worker, so no request waits for a socket. */
export function keepAlivePool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, keepAliveTimeout: 30_000, connectTimeout: REQUEST_TIMEOUT_MS });
}

export interface JsonCall {
  method?: 'POST' | 'PUT' | 'GET' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Expected status; anything else throws. */
  status: number;
}

/**
 * One JSON request; resolves to the parsed body (undefined for an empty one). Throws on
 * another status with the server's error text, which never holds a token.
 */
export async function requestJson(pool: Pool, call: JsonCall): Promise<Record<string, unknown> | undefined> {
  const res = await pool.request({
    method: call.method ?? 'POST',
    path: call.path,
    headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
    body: call.body === undefined ? null : JSON.stringify(call.body),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const text = await res.body.text();
  let answer: Record<string, unknown> | undefined;
  try {
    answer = text.length === 0 ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    answer = undefined;
  }
  if (res.statusCode !== call.status) {
    const reason = JSON.stringify(answer?.['error'] ?? answer?.['errors'] ?? text.slice(0, 100)).slice(0, 200);
    throw new Error(`${call.method ?? 'POST'} ${call.path} answered ${res.statusCode} ${reason}`);
  }
  return answer;
}

/** Reads a nested string (e.g. auth.entity_id) or throws naming the missing field. */
export function field(answer: Record<string, unknown> | undefined, path: string): string {
  let value: unknown = answer;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== 'string' || value === '') throw new Error(`answer has no ${path}`);
  return value;
}
