import { createHash } from 'node:crypto';
import { USER_IDENTIFIER_PATTERN } from '../contract/names.js';

/** What an application knows about an anonymous chat user. */
export interface UserContext {
  /** The application's own session id (e.g. the session cookie's server-side id). Required. */
  session_id: string;
  ip_address?: string;
  user_agent?: string;
}

/** Length of a bucket: a session maps to one identity per hour, as in the seed. */
export const USER_IDENTIFIER_BUCKET_SECONDS = 3600;

/**
 * The seed's `_generate_user_identifier`, byte for byte, so a Python and a TypeScript
 * service derive the same identity for the same user:
 *
 *   sha256(json.dumps({session_id, timestamp_bucket: str(int(now / 3600)),
 *                      ip_hash: sha256(ip)[:8], user_agent_hash: sha256(ua)[:8]},
 *                     sort_keys=True))[:16]
 *
 * 16 lowercase hex characters: always valid under USER_IDENTIFIER_PATTERN. Deterministic
 * for the same context within one hour bucket (UTC, aligned to the epoch); a new bucket
 * gives a new identifier and so a new entity. Unlike the seed, a session id is required:
 * without one, every user behind the same address and browser would share one identity.
 */
export function deriveUserIdentifier(context: UserContext, options: { now?: Date | number } = {}): string {
  if (typeof context.session_id !== 'string' || context.session_id.length === 0) {
    throw new TypeError('deriveUserIdentifier: context.session_id must be a non-empty string');
  }
  const nowMs = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const fields: Record<string, string> = {
    ip_hash: sha256Hex(context.ip_address ?? '').slice(0, 8),
    session_id: context.session_id,
    timestamp_bucket: String(Math.floor(nowMs / 1000 / USER_IDENTIFIER_BUCKET_SECONDS)),
    user_agent_hash: sha256Hex(context.user_agent ?? '').slice(0, 8),
  };
  const identifier = sha256Hex(pythonJsonDumps(fields)).slice(0, 16);
  // Cannot fail (hex), but the contract is the authority: never send what it would reject.
  if (!USER_IDENTIFIER_PATTERN.test(identifier)) throw new Error('derived identifier violates USER_IDENTIFIER_PATTERN');
  return identifier;
}

/**
 * Python's `json.dumps(obj, sort_keys=True)` for a flat object of strings: ", " and ": "
 * separators and ensure_ascii (every non-ASCII UTF-16 unit as a lowercase \uXXXX escape).
 */
export function pythonJsonDumps(fields: Record<string, string>): string {
  const parts = Object.keys(fields)
    .sort()
    .map((key) => `${asciiJson(key)}: ${asciiJson(fields[key] as string)}`);
  return `{${parts.join(', ')}}`;
}

function asciiJson(value: string): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
