/**
 * identity-broker SDK: what an application imports (`import … from 'identity-broker'`).
 * It depends only on the API contract; docs/sdk.md is the integration guide.
 */
export { IdentityBrokerClient, type IdentityBrokerClientOptions } from './broker-client.js';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retry.js';
export { deriveUserIdentifier, USER_IDENTIFIER_BUCKET_SECONDS, type UserContext } from './user-identifier.js';
export { SessionFactory, BrokerTokenIssuer, createBrokerSessions, type InitializeOptions, type SessionFactoryOptions, type UserTokenIssuer } from './sessions.js';
export { DirectTokenIssuer, createDirectSessions, type DirectTokenIssuerOptions, type ServiceLogin } from './direct-mode.js';
export { UserSession, type DatabaseCredentials, type IssuedIdentity } from './user-session.js';
export { OPERATION_LOG_SIZE, type OperationInput, type OperationLog, type OperationRecord } from './operation-log.js';
export {
  IdentityBrokerError,
  IdentityBrokerUnavailableError,
  OpenBaoRequestError,
  OperationLogConflictError,
  SessionExpiredError,
  UnexpectedResponseError,
  isIdentityBrokerError,
  isSessionExpired,
} from './errors.js';
export type { ErrorCode } from '../contract/errors.js';
export type { CreateEntityRequest, CreateEntityResponse } from '../contract/entities.js';
