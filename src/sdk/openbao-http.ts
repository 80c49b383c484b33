import { z } from 'zod';
import { OpenBaoRequestError, UnexpectedResponseError } from './errors.js';
import { parseOpenBaoErrors } from '../contract/openbao-errors.js';

/**
 * The few OpenBao calls an application makes with a user token (and, in direct mode, with
 * its service token). Deliberately tiny and separate from the broker's own OpenBao client:
 * the SDK depends only on the contract, and a user token needs five endpoints, not fifty.
 * Tokens travel only in the X-Vault-Token header and never appear in an error.
 */

export const authBlock = z.object({
  client_token: z.string().min(1),
  accessor: z.string(),
  policies: z.array(z.string()).nullish().transform((p) => p ?? []),
  lease_duration: z.number().int(),
  entity_id: z.string(),
  num_uses: z.number().int().optional(),
});
export type AuthBlock = z.output<typeof authBlock>;

const authResponse = z.object({ auth: authBlock });

const databaseCreds = z.object({
  lease_id: z.string(),
  lease_duration: z.number().int(),
  data: z.object({ username: z.string(), password: z.string() }),
});

const kvRead = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: z.object({ version: z.number().int() }),
  }),
});
const kvWrite = z.object({ data: z.object({ version: z.number().int() }) });

const tokenLookup = z.object({
  data: z.object({ ttl: z.number().int(), num_uses: z.number().int(), entity_id: z.string().optional(), expire_time: z.string().nullish() }),
});
export type TokenLookup = z.output<typeof tokenLookup>['data'];

export interface OpenBaoHttpOptions {
  /** e.g. http://127.0.0.1:8200 */
  addr: string;
  timeoutMs?: number;
}

export class OpenBaoHttp {
  readonly addr: string;
  readonly #timeoutMs: number;

  constructor(options: OpenBaoHttpOptions) {
    this.addr = new URL(options.addr).origin;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  async readDatabaseCredentials(token: string, role: string, mount = 'database') {
    return this.call(token, 'GET', `${mount}/creds/${encodeURIComponent(role)}`, undefined, databaseCreds);
  }

  /** undefined when nothing was ever written there. */
  async kvRead(token: string, mount: string, path: string): Promise<{ data: Record<string, unknown> | null; version: number } | undefined> {
    const body = await this.call(token, 'GET', `${mount}/data/${path}`, undefined, kvRead, { notFoundIsUndefined: true });
    return body && { data: body.data.data, version: body.data.metadata.version };
  }

  /** Check-and-set write: `cas` 0 creates, n replaces version n; a mismatch is a 400. */
  async kvWrite(token: string, mount: string, path: string, data: Record<string, unknown>, cas: number): Promise<number> {
    return (await this.call(token, 'POST', `${mount}/data/${path}`, { data, options: { cas } }, kvWrite)).data.version;
  }

  async lookupSelf(token: string): Promise<TokenLookup> {
    return (await this.call(token, 'GET', 'auth/token/lookup-self', undefined, tokenLookup)).data;
  }

  async revokeSelf(token: string): Promise<void> {
    await this.call(token, 'POST', 'auth/token/revoke-self', {}, z.unknown());
  }

  async createTokenWithRole(token: string, role: string, body: Record<string, unknown>): Promise<AuthBlock> {
    return (await this.call(token, 'POST', `auth/token/create/${encodeURIComponent(role)}`, body, authResponse)).auth;
  }

  /** AppRole, JWT and Kubernetes logins: POST auth/<mount>/login with no token. */
  async login(mount: string, body: Record<string, unknown>): Promise<AuthBlock> {
    return (await this.call(undefined, 'POST', `auth/${mount}/login`, body, authResponse)).auth;
  }

  private async call<S extends z.ZodType>(
    token: string | undefined,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    options: { notFoundIsUndefined?: boolean } = {},
  ): Promise<z.output<S>> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.addr}/v1/${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(token ? { 'x-vault-token': token } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (cause) {
      throw new OpenBaoRequestError(method, path, undefined, [], { cause });
    }
    if (res.status === 404 && options.notFoundIsUndefined) return undefined as z.output<S>;
    if (!res.ok) throw new OpenBaoRequestError(method, path, res.status, parseOpenBaoErrors(text));
    const parsed = schema.safeParse(text.length === 0 ? {} : safeJson(text));
    if (!parsed.success) throw new UnexpectedResponseError(method, `${this.addr}/v1/${path}`, res.status, 'unexpected OpenBao response shape');
    return parsed.data;
  }
}

/** OpenBao's answer to a check-and-set write whose version is stale. */
export function isCasMismatch(error: unknown): boolean {
  return error instanceof OpenBaoRequestError && error.status === 400 && error.errors.some((e) => e.includes('check-and-set'));
}

export function isPermissionDenied(error: unknown): error is OpenBaoRequestError {
  return error instanceof OpenBaoRequestError && error.status === 403;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

