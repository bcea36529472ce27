import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs. Secrets and personal data are redacted by path, wherever they appear
 * in a logged object; message bodies are never logged, only ids and types.
 */
export const REDACT_PATHS = [
  '*.password', 'password', '*.password_hash',
  '*.token', 'token', '*.access_token', 'access_token', '*.secret', '*.corpsecret',
  '*.encoding_aes_key', '*.aes_key', 'req.headers.authorization', 'req.headers.cookie',
  '*.nickname', '*.phone', '*.mobile', '*.email', '*.content', '*.text', '*.avatar',
  'req.query.access_token', 'req.query.corpsecret', 'req.query.echostr',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'kefu' } },
    destination as DestinationStream | undefined,
  );
}

export type { Logger };
