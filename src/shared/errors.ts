/**
 * Framework-free domain errors. `kind` says what went wrong in terms the domain understands;
 * src/http/errors.ts is the only place that turns a kind into an HTTP status.
 */
export type ErrorKind =
  | 'malformed' // the request cannot be read at all (bad JSON, wrong encoding)
  | 'invalid' // readable, but breaks a rule (a bad row, a bad field)
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict' // clashes with existing state (duplicate, wrong status, idempotency key reuse)
  | 'too_large'
  | 'too_many' // the caller must wait before trying again
  | 'unavailable';

export interface FieldProblem {
  /** 1-based line of the input file, where the problem comes from a file. */
  line?: number;
  /** Field or column name as the user wrote it. */
  field?: string;
  value?: unknown;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, readonly problems: FieldProblem[], code = 'VALIDATION_FAILED') {
    super('invalid', code, message, problems);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, key: string) {
    super('not_found', 'NOT_FOUND', `${what} ${key} does not exist`, { what, key });
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super('conflict', code, message, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('forbidden', 'FORBIDDEN', message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'a valid API token is required (Authorization: Bearer <token>)', code = 'UNAUTHENTICATED') {
    super('unauthenticated', code, message);
  }
}

/** Too many failed attempts from one caller: refused until `retryAfterSeconds` have passed. */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message: string) {
    super('too_many', 'TOO_MANY_ATTEMPTS', message, []);
  }
}

export class TooLargeError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('too_large', 'TOO_LARGE', message, details);
  }
}

export class MalformedError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('malformed', 'MALFORMED', message, details);
  }
}

/** For invariants that only a bug can break; never shown to users in detail. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
