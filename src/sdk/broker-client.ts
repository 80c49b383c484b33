import { z } from 'zod';
import { createEntityRequest, createEntityResponse, fieldProblems, type CreateEntityRequest, type CreateEntityResponse } from '../contract/entities.js';
import { IdentityBrokerError, IdentityBrokerUnavailableError, UnexpectedResponseError } from './errors.js';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelayMs, sleep, type RetryPolicy } from './retry.js';

export interface IdentityBrokerClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** The client's API key (`ibk.<client_id>.…`). Sent only in the Authorization header. */
  apiKey: string;
  /** Deadline of one attempt, headers and body. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injectable for tests: jitter source, and the wait between attempts. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string().optional(), request_id: z.string().optional(), details: z.unknown().optional() }),
});

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * Typed client of the broker's HTTP API. Broker answers that mean "later" (429, 503)
 * are retried with jittered backoff, honouring Retry-After, a bounded number of times;
 * every other error is thrown at once as an IdentityBrokerError with the contract's code.
 */
export class IdentityBrokerClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: IdentityBrokerClientOptions) {
    this.baseUrl = new URL(options.baseUrl).origin;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
  }

  /**
   * POST /v1/entities: an isolated identity and a user token for one end user. The body is
   * checked against the contract first, so a bad identifier fails here without a request.
   */
  async createEntity(request: CreateEntityRequest): Promise<CreateEntityResponse> {
    const checked = createEntityRequest.safeParse(request);
    if (!checked.success) {
      throw new IdentityBrokerError({
        code: 'invalid_request',
        status: 400,
        method: 'POST',
        url: `${this.baseUrl}/v1/entities`,
        message: 'rejected before sending: the request does not match the contract',
        details: fieldProblems(checked.error),
      });
    }
    return this.send('POST', '/v1/entities', checked.data, createEntityResponse);
  }

  // The entity pool's /v1/leases (create, refresh, release) will be added here as three
  // methods over send(): same auth, timeouts, retries and error types.

  private async send<S extends z.ZodType>(method: Method, path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      const res = await this.attempt(method, url, body);
      const text = await res.text().catch((cause: unknown) => {
        throw new IdentityBrokerUnavailableError(isTimeout(cause) ? 'timeout' : 'network', method, url, { cause });
      });
      if (res.ok) return parseBody(method, url, res.status, text, schema);
      const error = toBrokerError(method, url, res, text);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      const retryable = isRetryableStatus(res.status) && attempt < this.#retry.maxAttempts && (retryAfterMs ?? 0) <= this.#retry.maxRetryAfterMs;
      if (!retryable) throw error;
      await this.#sleep(retryDelayMs(attempt, retryAfterMs, this.#retry, this.#random));
    }
  }

  private async attempt(method: Method, url: string, body: unknown): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${this.#apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new IdentityBrokerUnavailableError(isTimeout(cause) ? 'timeout' : 'network', method, url, { cause });
    }
  }
}

function parseBody<S extends z.ZodType>(method: string, url: string, status: number, text: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(method, url, status, 'the body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new UnexpectedResponseError(method, url, status, `unexpected fields: ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
  }
  return parsed.data;
}

function toBrokerError(method: string, url: string, res: Response, text: string): IdentityBrokerError {
  let parsed: z.output<typeof errorBody> | undefined;
  try {
    parsed = errorBody.parse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  // A proxy's plain 502/503 page has no contract body: name it by its status.
  const fallback = res.status === 429 ? 'rate_limited' : res.status === 503 ? 'upstream_unavailable' : res.status >= 500 ? 'internal_error' : 'unknown';
  return new IdentityBrokerError({
    code: parsed?.error.code ?? fallback,
    status: res.status,
    method,
    url,
    ...(parsed?.error.message ? { message: parsed.error.message } : {}),
    ...(parsed?.error.request_id ? { requestId: parsed.error.request_id } : {}),
    ...(parsed?.error.details !== undefined ? { details: parsed.error.details } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: Math.ceil(retryAfter / 1000) } : {}),
  });
}

function isTimeout(cause: unknown): boolean {
  return cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
}
