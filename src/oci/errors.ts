/**
 * Errors of the distribution client. Every message names the registry, the repository, what was
 * asked and what the registry answered; no credential or token ever appears in one.
 */

export interface RegistryErrorDetails {
  registry: string;
  repository?: string;
  /** What was being done, e.g. `GET manifest "v1"`. */
  operation: string;
  /** HTTP status, when the registry answered. */
  status?: number;
  /** First OCI error code of the body (`MANIFEST_UNKNOWN`, `DENIED`, …), when there was one. */
  code?: string;
  attempts?: number;
  cause?: unknown;
}

export class RegistryError extends Error {
  readonly registry: string;
  readonly repository: string | undefined;
  readonly operation: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly attempts: number;

  constructor(message: string, details: RegistryErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.registry = details.registry;
    this.repository = details.repository;
    this.operation = details.operation;
    this.status = details.status;
    this.code = details.code;
    this.attempts = details.attempts ?? 1;
  }
}

/** 401/403 after authenticating, or credentials are needed and none are configured. */
export class RegistryAuthError extends RegistryError {}

/** The manifest, blob, tag or repository does not exist (404, `*_UNKNOWN`). */
export class RegistryNotFoundError extends RegistryError {}

/** The registry could not be reached or kept failing (network errors, 429, 5xx after retries). */
export class RegistryUnavailableError extends RegistryError {}

/** The registry's answer breaks the protocol or a limit (oversized manifest, bad Location). */
export class RegistryProtocolError extends RegistryError {}

/** Formats `registry "h", repository "r"` for messages. */
export function where(registry: string, repository?: string): string {
  return repository ? `registry "${registry}", repository "${repository}"` : `registry "${registry}"`;
}
