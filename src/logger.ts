import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'relief-ledger' }, redact: ['req.headers.authorization', '*.token'] });
}
