import { z } from 'zod';
import { parseDurationSeconds } from './duration.js';
import { APPLICATION_PATTERN, CLIENT_ID_PATTERN, USER_IDENTIFIER_PATTERN } from './names.js';

/** "required" when absent, "must be a string" when of another type. */
const requiredString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') });

/** user_context is advisory, flat and small: it must never become a storage channel. */
export const USER_CONTEXT_MAX_BYTES = 4096;

const userContext = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'keys must match ^[A-Za-z0-9_.-]{1,64}$'),
    z.string({ error: 'values must be strings (user_context is a flat object of strings)' }),
  )
  .refine((ctx) => Buffer.byteLength(JSON.stringify(ctx), 'utf8') <= USER_CONTEXT_MAX_BYTES, {
    error: `must be at most ${USER_CONTEXT_MAX_BYTES} bytes as JSON`,
  });

export const ttlField = z
  .string({ error: 'must be a duration string such as "30m" or "2h"' })
  .refine((v) => (parseDurationSeconds(v) ?? 0) > 0, { error: 'must be a positive duration such as "30m" or "2h"' });

/** POST /v1/entities body. Unknown fields are rejected, never ignored. */
export const createEntityRequest = z.strictObject({
  client_id: requiredString()
    .regex(CLIENT_ID_PATTERN, { error: `must match ${CLIENT_ID_PATTERN.source}` })
    .optional(),
  application: requiredString()
    .regex(APPLICATION_PATTERN, { error: `must match ${APPLICATION_PATTERN.source}` }),
  user_identifier: requiredString()
    .regex(USER_IDENTIFIER_PATTERN, { error: `must match ${USER_IDENTIFIER_PATTERN.source} (it is never rewritten)` }),
  user_context: userContext.optional(),
  ttl: ttlField.optional(),
});
export type CreateEntityRequest = z.output<typeof createEntityRequest>;

export const createEntityResponse = z.object({
  entity_id: z.string(),
  entity_alias: z.string().describe('"<application>:<user_identifier>"'),
  user_token: z.string().describe('The only place a user token ever appears. Treat as a secret.'),
  token_accessor: z.string(),
  policies: z.array(z.string()),
  ttl: z.number().int().describe('Granted TTL in seconds.'),
  expires_at: z.string().describe('RFC 3339 time the token expires.'),
  num_uses: z.number().int().describe('Uses before the token is spent (0 = unlimited).'),
  renewable: z.literal(false),
});
export type CreateEntityResponse = z.output<typeof createEntityResponse>;

export const fieldProblem = z.object({ field: z.string(), message: z.string() });
export type FieldProblem = z.output<typeof fieldProblem>;

/** Zod issues → one {field, message} per problem, naming the field by its JSON path. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'unknown field' }));
    }
    if (issue.code === 'invalid_key') {
      return [{ field: base, message: issue.issues.map((inner) => inner.message).join('; ') }];
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      return [{ field: '(body)', message: 'must be a JSON object' }];
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}
