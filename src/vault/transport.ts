import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import { VaultError } from './errors.js';
import { parseOpenBaoErrors } from '../contract/openbao-errors.js';

export interface VaultTransportOptions {
  /** e.g. http://127.0.0.1:8200 — only scheme, host and port are used. */
  addr: string;
  /** Per-request deadline; OpenBao answers token creation in a few ms. */
  timeoutMs?: number;
  /** Keep-alive connections kept open to OpenBao. */
  connections?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST';

export interface VaultRequest<S extends z.ZodType> {
  method: HttpMethod;
  path: string;
  token?: string | undefined;
  body?: unknown;
  /** Validates the JSON body of a 2xx answer. */
  schema: S;
  /** Return undefined instead of throwing on 404 (reads of things that may not exist). */
  notFoundIsUndefined?: boolean;
}

/**
 * Keep-alive HTTP to one OpenBao server. Every answer is validated against a schema,
 * every failure becomes a VaultError. Tokens travel only in the X-Vault-Token header.
 */
export class VaultTransport {
  readonly addr: string;
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(options: VaultTransportOptions) {
    const url = new URL(options.addr);
    this.addr = url.origin;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connectTimeout: this.timeoutMs,
    });
  }

  async request<S extends z.ZodType>(req: VaultRequest<S>): Promise<z.output<S>>;
  async request<S extends z.ZodType>(
    req: VaultRequest<S> & { notFoundIsUndefined: true },
  ): Promise<z.output<S> | undefined>;
  async request<S extends z.ZodType>(req: VaultRequest<S>): Promise<z.output<S> | undefined> {
    const path = req.path.replace(/^\/+/, '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers['x-vault-token'] = req.token;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    // LIST is sent as GET ?list=true so proxies that reject unknown verbs still pass it.
    const method = req.method === 'LIST' ? 'GET' : req.method;
    const query = req.method === 'LIST' ? '?list=true' : '';
    let status: number;
    let text: string;
    try {
      const res = await this.pool.request({
        method,
        path: `/v1/${path}${query}`,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (cause) {
      throw new VaultError({ method: req.method, path, cause, detail: describeNetworkError(cause) });
    }
    if (status === 404 && req.notFoundIsUndefined) return undefined;
    if (status < 200 || status >= 300) {
      throw new VaultError({ status, method: req.method, path, errors: parseOpenBaoErrors(text) });
    }
    const json = text.length === 0 ? {} : safeJson(text);
    const parsed = req.schema.safeParse(json);
    if (!parsed.success) {
      throw new VaultError({
        status,
        method: req.method,
        path,
        detail: `unexpected response shape (${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')})`,
      });
    }
    return parsed.data;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}


function describeNetworkError(cause: unknown): string {
  if (cause instanceof undiciErrors.HeadersTimeoutError || cause instanceof undiciErrors.BodyTimeoutError) {
    return 'timed out';
  }
  if (cause instanceof undiciErrors.ConnectTimeoutError) return 'connect timed out';
  const code = (cause as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'network error';
}
