/**
 * The error classes every layer throws. Each maps to exactly one Kubernetes `Status` reason and
 * HTTP code; boundaries (apiserver, cli, controllers) convert them in one place each.
 */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

/** One field-level problem, as in `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The `v1` `Status` object returned on failure. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Identifies the object an error is about, for messages like `configmaps "x" not found`. */
export interface ResourceRef {
  group?: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource: string;
  name?: string;
  kind?: string;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    options: { details?: StatusDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.details = options.details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function refDetails(ref: ResourceRef): StatusDetails {
  const details: StatusDetails = { kind: ref.resource };
  if (ref.name !== undefined) details.name = ref.name;
  if (ref.group) details.group = ref.group;
  return details;
}

export class NotFoundError extends ApiError {
  constructor(ref: ResourceRef, options: { message?: string; cause?: unknown } = {}) {
    super(404, 'NotFound', options.message ?? `${qualified(ref)} "${ref.name ?? ''}" not found`, {
      details: refDetails(ref),
      cause: options.cause,
    });
  }
}

export class AlreadyExistsError extends ApiError {
  constructor(ref: ResourceRef, options: { cause?: unknown } = {}) {
    super(409, 'AlreadyExists', `${qualified(ref)} "${ref.name ?? ''}" already exists`, {
      details: refDetails(ref),
      cause: options.cause,
    });
  }
}

export class ConflictError extends ApiError {
  constructor(
    ref: ResourceRef,
    reason = 'the object has been modified; please apply your changes to the latest version and try again',
    options: { causes?: StatusCause[]; cause?: unknown } = {},
  ) {
    const details = refDetails(ref);
    if (options.causes) details.causes = options.causes;
    super(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ''}": ${reason}`,
      {
        details,
        cause: options.cause,
      },
    );
  }
}

/** 422: the object failed validation. `causes` carry the field paths. */
export class InvalidError extends ApiError {
  readonly causes: StatusCause[];

  constructor(
    target: { group?: string; kind: string; name?: string },
    causes: StatusCause[],
    options: { cause?: unknown } = {},
  ) {
    const summary = causes
      .map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason ?? ''}` : (c.message ?? c.reason ?? '')))
      .join(', ');
    const what = `${target.kind}${target.group ? `.${target.group}` : ''} "${target.name ?? ''}"`;
    const details: StatusDetails = { kind: target.kind, causes };
    if (target.name !== undefined) details.name = target.name;
    if (target.group) details.group = target.group;
    super(422, 'Invalid', `${what} is invalid: ${causes.length > 1 ? `[${summary}]` : summary}`, {
      details,
      cause: options.cause,
    });
    this.causes = causes;
  }
}

/** Field-cause helpers with Kubernetes' wording (`field.Invalid`, `field.Required`, …). */
export const fieldError = {
  invalid(field: string, value: unknown, detail: string): StatusCause {
    return {
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    };
  },
  required(field: string, detail = ''): StatusCause {
    return {
      reason: 'FieldValueRequired',
      field,
      message: detail ? `Required value: ${detail}` : 'Required value',
    };
  },
  forbidden(field: string, detail: string): StatusCause {
    return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
  },
  notSupported(field: string, value: unknown, allowed: readonly string[]): StatusCause {
    return {
      reason: 'FieldValueNotSupported',
      field,
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
    };
  },
  duplicate(field: string, value: unknown): StatusCause {
    return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${JSON.stringify(value)}` };
  },
  typeInvalid(field: string, value: unknown, detail: string): StatusCause {
    return {
      reason: 'FieldValueTypeInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    };
  },
  tooLong(field: string, max: number): StatusCause {
    return { reason: 'FieldValueTooLong', field, message: `Too long: may not be longer than ${max}` };
  },
};

export class BadRequestError extends ApiError {
  constructor(message: string, options: { causes?: StatusCause[]; cause?: unknown } = {}) {
    super(400, 'BadRequest', message, {
      ...(options.causes ? { details: { causes: options.causes } } : {}),
      cause: options.cause,
    });
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Unauthorized', options: { cause?: unknown } = {}) {
    super(401, 'Unauthorized', message, options);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string, options: { details?: StatusDetails; cause?: unknown } = {}) {
    super(403, 'Forbidden', message, options);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(message: string) {
    super(405, 'MethodNotAllowed', message);
  }
}

export class NotAcceptableError extends ApiError {
  constructor(message: string) {
    super(406, 'NotAcceptable', message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super(415, 'UnsupportedMediaType', message);
  }
}

export class RequestEntityTooLargeError extends ApiError {
  constructor(message: string) {
    super(413, 'RequestEntityTooLarge', message);
  }
}

/** 410 with reason `Expired`: a watch or continue token refers to history that was compacted. */
export class GoneError extends ApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(410, 'Expired', message, options);
  }
}

export class TimeoutError extends ApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(504, 'Timeout', message, options);
  }
}

/** 503: a dependency (a repository, a database) is not available right now; try again later. */
export class ServiceUnavailableError extends ApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(503, 'ServiceUnavailable', message, options);
  }
}

export class InternalError extends ApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(500, 'InternalError', message, options);
  }
}

/** Wraps anything thrown into an ApiError, keeping the original as `cause`. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(`Internal error occurred: ${message}`, { cause: err });
}
