import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatDuration, parseDurationSeconds } from './contract/duration.js';
import { APPLICATION_PATTERN, CLIENT_ID_PATTERN } from './contract/names.js';

/**
 * A secret is never written into the config file itself: it names an environment
 * variable or a file (a Kubernetes secret volume, an OpenBao Agent sink). It is read
 * when used, so a rotated file is picked up.
 */
const secretRef = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  { error: 'must be {env: VARIABLE} or {file: PATH}: secrets are never written into the config itself' },
);
export type SecretRef = z.output<typeof secretRef>;

// YAML turns `max_ttl: 7200` into a number: read it as seconds, as OpenBao does.
const duration = z
  .union([z.number().int().positive().transform(String), z.string()])
  .refine((v) => (parseDurationSeconds(v) ?? 0) > 0, 'a positive duration such as "90s", "30m" or "2h"');

/** The default TTL of an application when its config names none: 1h, or less if max_ttl is less. */
const DEFAULT_TTL_SECONDS = 3600;

const apiKeyHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a hash "sha256:<64 hex>" as printed by `identity-broker client create`');

/** MySQL/MariaDB schema names are put into GRANT statements: keep them to safe characters. */
export const SCHEMA_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

const application = z
  .strictObject({
    /** Upper bound of a user token's TTL; the token role's token_explicit_max_ttl. */
    max_ttl: duration.default('2h'),
    /** TTL when a request names none (default: 1h, capped at max_ttl). */
    default_ttl: duration.optional(),
    /** Uses before a user token is spent; the token role's token_num_uses. */
    num_uses: z.number().int().min(1).max(100_000).default(500),
    /** The schema the `<app>-users` database role may SELECT from (default `<app>_demo`). */
    database_schema: z.string().regex(SCHEMA_NAME_PATTERN, `must match ${SCHEMA_NAME_PATTERN.source}`).optional(),
    /**
     * Direct (Kubernetes-style) mode: an AppRole role `<app>-service` whose token may only
     * create this application's user tokens, for applications that call OpenBao themselves.
     */
    service_role: z
      .strictObject({ token_ttl: duration.default('1h'), token_max_ttl: duration.default('24h') })
      .optional(),
  })
  .transform((app) => ({
    ...app,
    default_ttl: app.default_ttl ?? formatDuration(Math.min(DEFAULT_TTL_SECONDS, parseDurationSeconds(app.max_ttl) ?? DEFAULT_TTL_SECONDS)),
  }));

const client = z.strictObject({
  api_key_hash: apiKeyHash,
  applications: z.array(z.string()).min(1),
  /** Entity creations per minute; the global default applies when absent. */
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).optional(),
});

const openbaoAuth = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('approle'),
    mount: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('approle'),
    role_id: z.union([z.string().min(1), secretRef]),
    secret_id: secretRef,
  }),
  z.strictObject({
    /** A token file kept fresh by OpenBao Agent (auto-auth + file sink). */
    method: z.literal('token_file'),
    token: secretRef,
  }),
]);

/**
 * The MySQL/MariaDB server behind OpenBao's database engine. Either `mysql_url` or the
 * separate fields. A password is only ever a secret reference; without one, the password
 * is empty (the local development MariaDB's root).
 */
const database = z
  .strictObject({
    /** `mysql://user[:password]@host[:port]`: a literal URL must not carry a password. */
    mysql_url: z
      .union([
        z.string().refine((url) => !/^mysql:\/\/[^@/]*:[^@/]+@/.test(url), 'a URL with a password must be {env: …} or {file: …}'),
        secretRef,
      ])
      .optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1).optional(),
    password: secretRef.optional(),
    /** Lease of one set of credentials: short, and never longer than the user token. */
    credentials_ttl: duration.default('5m'),
    credentials_max_ttl: duration.default('1h'),
  })
  .refine((db) => !(db.mysql_url && (db.host || db.port || db.username || db.password)), 'give either mysql_url or host/port/username/password, not both')
  .refine((db) => (parseDurationSeconds(db.credentials_ttl) ?? 0) <= (parseDurationSeconds(db.credentials_max_ttl) ?? 0), {
    path: ['credentials_ttl'],
    message: 'must not exceed credentials_max_ttl',
  });

const schema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /**
         * Reverse proxies (IPs or CIDRs) whose X-Forwarded-For names the client. Without it,
         * behind an ingress every caller shares one address for auth throttling and audit.
         */
        trust_proxy: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    openbao: z
      .strictObject({
      /** Falls back to BAO_ADDR, then VAULT_ADDR. */
      addr: z
        .url({ protocol: /^https?$/ })
        .refine((url) => ['', '/'].includes(new URL(url).pathname), 'must be scheme://host:port with no path (the API is under /v1)')
        .optional(),
      timeout_ms: z.number().int().min(100).max(120_000).default(5000),
      kv_mount: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('kv'),
      /** Names of what bootstrap creates for the broker itself. */
      broker_policy: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('identity-broker'),
      broker_role: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('identity-broker'),
      auth: openbaoAuth.optional(),
      })
      .prefault({}),
    applications: z.record(z.string().regex(APPLICATION_PATTERN, 'an application name matching ^[a-z][a-z0-9-]{1,31}$'), application),
    clients: z
      .record(z.string().regex(CLIENT_ID_PATTERN, 'a client id matching ^[a-z][a-z0-9-]{1,63}$'), client)
      .default({}),
    admin: z.strictObject({ api_key_hash: apiKeyHash }).optional(),
    /** Optional: OpenBao's database engine issues per-user MySQL/MariaDB credentials. */
    database: database.optional(),
    rate_limit: z
      .strictObject({ default_per_minute: z.number().int().min(1).max(1_000_000).default(10) })
      .prefault({}),
    audit: z
      .strictObject({
        /** JSON lines, hash-chained; "-" writes to stdout. */
        file: z.string().min(1).default('.identity-broker/audit.log'),
        /** Key for HMAC-ing token accessors in audit records; random per process when absent. */
        hmac_key: secretRef.optional(),
      })
      .prefault({}),
    log: z
      .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [name, app] of Object.entries(config.applications)) {
      // Zod still runs this after a field's own refinement failed; judge only valid durations.
      const [defaultTtl, maxTtl] = [app.default_ttl, app.max_ttl].map((d) => (typeof d === 'string' ? parseDurationSeconds(d) : undefined));
      if (defaultTtl !== undefined && maxTtl !== undefined && defaultTtl > maxTtl) {
        ctx.addIssue({ code: 'custom', path: ['applications', name, 'default_ttl'], message: `must not exceed max_ttl (${app.max_ttl})` });
      }
      const service = app.service_role;
      if (service && (parseDurationSeconds(service.token_ttl) ?? 0) > (parseDurationSeconds(service.token_max_ttl) ?? 0)) {
        ctx.addIssue({ code: 'custom', path: ['applications', name, 'service_role', 'token_ttl'], message: `must not exceed token_max_ttl (${service.token_max_ttl})` });
      }
      if (app.database_schema !== undefined && !config.database) {
        ctx.addIssue({ code: 'custom', path: ['applications', name, 'database_schema'], message: 'needs the top-level database section' });
      }
    }
    for (const [id, c] of Object.entries(config.clients)) {
      c.applications.forEach((app, i) => {
        if (!(app in config.applications)) {
          ctx.addIssue({
            code: 'custom',
            path: ['clients', id, 'applications', i],
            message: `unknown application "${app}" (must be one of: ${Object.keys(config.applications).join(', ') || 'none defined'})`,
          });
        }
      });
    }
  });

export type Config = DeepReadonly<z.output<typeof schema> & { openbao: { addr: string } }>;
export type ConfigInput = z.input<typeof schema>;
export type ApplicationConfig = Config['applications'][string];
export type ClientConfig = Config['clients'][string];
export type OpenBaoAuthConfig = NonNullable<Config['openbao']['auth']>;
export type DatabaseConfig = NonNullable<Config['database']>;

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly { field: string; message: string }[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
  }
}

/** Validates a parsed config object; the result is deeply frozen. */
export function parseConfig(input: unknown, options: { source?: string; env?: NodeJS.ProcessEnv; baseDir?: string } = {}): Config {
  const source = options.source ?? 'config';
  const env = options.env ?? process.env;
  const parsed = schema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => ({ field: formatPath(issue.path) || '(root)', message: describeIssue(issue) })),
    );
  }
  const config = parsed.data;
  const addr = config.openbao.addr ?? env['BAO_ADDR'] ?? env['VAULT_ADDR'];
  if (!addr) {
    throw new ConfigError(source, [{ field: 'openbao.addr', message: 'required: set it here or in BAO_ADDR (or VAULT_ADDR)' }]);
  }
  if (!/^https?:\/\/[^/]+/.test(addr)) {
    throw new ConfigError(source, [{ field: 'openbao.addr', message: `"${addr}" is not an http(s) URL` }]);
  }
  config.openbao.addr = addr;
  if (options.baseDir) resolveFiles(config, options.baseDir);
  return deepFreeze(config) as Config;
}

/** Reads and validates a YAML config file. Relative file paths inside it are relative to it. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ field: '(file)', message: (error as Error).message }]);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [{ field: '(yaml)', message: (error as Error).message.split('\n')[0] ?? 'parse error' }]);
  }
  return parseConfig(data, { source: file, env, baseDir: dirname(resolve(file)) });
}

/** Reads a secret named by a SecretRef. Throws without ever including the value. */
export function readSecret(ref: SecretRef | string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new Error(`environment variable ${ref.env} is not set`);
    return value.trim();
  }
  try {
    const value = readFileSync(ref.file, 'utf8').trim();
    if (!value) throw new Error('is empty');
    return value;
  } catch (error) {
    throw new Error(`secret file ${ref.file}: ${(error as Error).message}`);
  }
}

function resolveFiles(config: z.output<typeof schema>, baseDir: string): void {
  const auth = config.openbao.auth;
  const fix = (ref: SecretRef | string) => (typeof ref === 'object' && 'file' in ref ? { file: resolve(baseDir, ref.file) } : ref);
  if (auth?.method === 'approle') {
    auth.role_id = fix(auth.role_id);
    auth.secret_id = fix(auth.secret_id) as SecretRef;
  } else if (auth?.method === 'token_file') {
    auth.token = fix(auth.token) as SecretRef;
  }
  if (config.audit.file !== '-') config.audit.file = resolve(baseDir, config.audit.file);
  if (config.audit.hmac_key) config.audit.hmac_key = fix(config.audit.hmac_key) as SecretRef;
  const db = config.database;
  if (db?.password) db.password = fix(db.password) as SecretRef;
  if (db?.mysql_url && typeof db.mysql_url === 'object') db.mysql_url = fix(db.mysql_url) as SecretRef;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_key') return `name must be ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? `required (${issue.expected})` : `must be a ${issue.expected}, got ${describeType(issue.input)}`;
  }
  return issue.message;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
