// Errors the data-access layer throws; entry points turn them into a page message or an HTTP status.

export type FieldErrors = Record<string, string[] | undefined>;

export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Also what another team's ids look like: indistinguishable from ids that do not exist. */
export class NotFoundError extends AppError {
  constructor(what = "Not found") {
    super(what, 404, "not_found");
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You do not have permission to do that.") {
    super(message, 403, "forbidden");
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Sign in to continue.") {
    super(message, 401, "unauthorized");
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message, 400, "invalid");
  }
}

export class ConflictError extends AppError {
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message, 409, "conflict");
  }
}

export class GoneError extends AppError {
  constructor(message: string) {
    super(message, 410, "gone");
  }
}

export class RateLimitError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429, "rate_limited");
  }
}
