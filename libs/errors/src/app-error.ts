import { ERROR_CATALOGUE, ErrorCode } from './error-codes';

export interface FieldIssue {
  field: string;
  message: string;
}

/** The one exception type our code throws on purpose; the filter turns it into the public error shape. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: FieldIssue[],
    /** Response headers that belong to the error (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.status = ERROR_CATALOGUE[code].status;
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `No such ${what}: '${id}'.`);
  }

  static rateLimited(retryAfterSeconds: number): AppError {
    return new AppError('rate_limited', undefined, undefined, { 'retry-after': String(retryAfterSeconds) });
  }

  static validation(details: FieldIssue[]): AppError {
    const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return new AppError('validation_failed', `The request is invalid: ${summary}`, details);
  }
}
