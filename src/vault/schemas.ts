import { z } from 'zod';

/** Shapes of OpenBao answers that the project reads. Unknown fields are ignored. */

export const anyResponse = z.unknown();

export const authBlock = z.object({
  client_token: z.string().min(1),
  accessor: z.string(),
  policies: z.array(z.string()).nullable().transform((p) => p ?? []),
  token_policies: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  lease_duration: z.number().int(),
  renewable: z.boolean(),
  entity_id: z.string(),
  orphan: z.boolean().optional(),
  num_uses: z.number().int().optional(),
});
export type AuthBlock = z.output<typeof authBlock>;

export const authResponse = z.object({
  auth: authBlock,
  warnings: z.array(z.string()).nullish(),
});

export function dataOf<T extends z.ZodType>(data: T) {
  return z.object({ data });
}

export const tokenLookup = z.object({
  accessor: z.string(),
  policies: z.array(z.string()).nullable().transform((p) => p ?? []),
  ttl: z.number().int(),
  creation_ttl: z.number().int().optional(),
  explicit_max_ttl: z.number().int().optional(),
  num_uses: z.number().int(),
  renewable: z.boolean(),
  orphan: z.boolean(),
  entity_id: z.string().optional(),
  expire_time: z.string().nullable().optional(),
  meta: z.record(z.string(), z.string()).nullish(),
  path: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
});
export type TokenLookup = z.output<typeof tokenLookup>;

export const tokenRole = z.object({
  name: z.string(),
  allowed_policies: z.array(z.string()).nullish().transform((p) => p ?? []),
  disallowed_policies: z.array(z.string()).nullish().transform((p) => p ?? []),
  allowed_entity_aliases: z.array(z.string()).nullish().transform((p) => p ?? []),
  // OpenBao omits zero values of some fields.
  orphan: z.boolean().default(false),
  renewable: z.boolean().default(false),
  token_explicit_max_ttl: z.number().int().default(0),
  token_num_uses: z.number().int().default(0),
  token_no_default_policy: z.boolean().default(false),
  token_period: z.number().int().default(0),
  token_type: z.string().default('default-service'),
  path_suffix: z.string().optional(),
});
export type TokenRole = z.output<typeof tokenRole>;

export const mountEntry = z.object({
  type: z.string(),
  accessor: z.string().optional(),
  description: z.string().optional(),
  options: z.record(z.string(), z.string()).nullish(),
});
export type MountEntry = z.output<typeof mountEntry>;

export const health = z.object({
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  version: z.string(),
});
export type Health = z.output<typeof health>;

export const policy = z.object({ name: z.string(), policy: z.string() });

export const appRoleRole = z.object({
  token_policies: z.array(z.string()).nullish().transform((p) => p ?? []),
  token_ttl: z.number().int().default(0),
  token_max_ttl: z.number().int().default(0),
  token_type: z.string().default('default'),
  token_no_default_policy: z.boolean().default(false),
  bind_secret_id: z.boolean().default(false),
  secret_id_ttl: z.number().int().default(0),
  secret_id_num_uses: z.number().int().default(0),
  secret_id_bound_cidrs: z.array(z.string()).nullish(),
  token_bound_cidrs: z.array(z.string()).nullish(),
});
export type AppRoleRole = z.output<typeof appRoleRole>;

export const entity = z.object({
  id: z.string(),
  name: z.string(),
  policies: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  aliases: z
    .array(z.object({ id: z.string(), name: z.string(), mount_accessor: z.string() }))
    .nullish()
    .transform((a) => a ?? []),
});
export type Entity = z.output<typeof entity>;

export const keyList = z.object({ keys: z.array(z.string()) });

export const aliasList = z.object({
  keys: z.array(z.string()),
  key_info: z.record(z.string(), z.object({ name: z.string(), canonical_id: z.string() })),
});

export const kvRead = z.object({
  data: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.object({ version: z.number().int(), created_time: z.string(), deletion_time: z.string() }),
});
export type KvRead = z.output<typeof kvRead>;

export const kvWrite = z.object({ version: z.number().int(), created_time: z.string() });

export const databaseCreds = z.object({
  lease_id: z.string(),
  lease_duration: z.number().int(),
  renewable: z.boolean(),
  data: z.object({ username: z.string(), password: z.string() }),
});
export type DatabaseCreds = z.output<typeof databaseCreds>;
