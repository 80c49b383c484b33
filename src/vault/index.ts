export { VaultClient, type TokenSource } from './client.js';
export { VaultError, isVaultError, isPermissionDenied } from './errors.js';
export { isCasMismatch } from './kv.js';
export { VaultTransport, type VaultTransportOptions } from './transport.js';
export type * from './schemas.js';
