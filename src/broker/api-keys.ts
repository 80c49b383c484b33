import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_PATTERN } from '../contract/names.js';

/**
 * API keys: "ibk.<client_id>.<43 chars of base64url>" — 256 random bits that name their
 * client. Only SHA-256 hashes are stored. A slow password hash buys nothing for a 256-bit
 * random secret and would cost milliseconds on every request.
 */
const PREFIX = 'ibk';

export function generateApiKey(clientId: string): string {
  if (!CLIENT_ID_PATTERN.test(clientId)) throw new Error(`client id "${clientId}" must match ${CLIENT_ID_PATTERN}`);
  return `${PREFIX}.${clientId}.${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** The client a key claims to belong to, or undefined if the key is not in our format. */
export function clientIdOfKey(key: string): string | undefined {
  const parts = key.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !/^[A-Za-z0-9_-]{43}$/.test(parts[2] ?? '')) return undefined;
  return CLIENT_ID_PATTERN.test(parts[1] ?? '') ? parts[1] : undefined;
}

/** Constant-time comparison of a presented key against a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
