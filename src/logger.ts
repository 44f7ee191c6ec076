import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Personal data (PIPL) and secrets never reach the log: resident ID and bank account numbers and
 * tokens are censored wherever they sit up to three levels deep, and request bodies are never logged.
 */
const SECRET_FIELDS = ['idNumber', 'bankAccount', 'bankAccountNumber', 'accountNumber', 'account', 'id_number', 'bank_account_number', 'account_number', 'token', 'authorization', 'password'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'req.body',
  'body',
  'err.details',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'relief-ledger' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
