import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may hold a secret in anything we log. The code avoids logging secrets in the
 * first place; this is the second line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-vault-token"]',
  'headers.authorization',
  'token',
  'user_token',
  'client_token',
  'api_key',
  'secret_id',
  '*.token',
  '*.user_token',
  '*.client_token',
  '*.api_key',
  '*.secret_id',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'identity-broker' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Asynchronous destination: logging never blocks the request path.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(config, destination);
}
