/**
 * Errors of the git module. They stay git-specific on purpose: callers (repository adapters,
 * controllers) decide what a rejected push or a ref conflict means for their object and convert
 * at their boundary. Every message and field here is already free of credentials.
 */

/** Why a git command failed: it ran and exited non-zero, or we stopped it, or it never started. */
export type GitFailure = 'exit' | 'spawn' | 'timeout' | 'aborted' | 'output-limit' | 'protocol';

export interface GitErrorDetails {
  /** The argv that was run, starting with `git`, with secrets and URL userinfo redacted. */
  command: readonly string[];
  exitCode?: number | null;
  /** Trimmed, redacted stderr of the command. */
  stderr?: string;
  failure?: GitFailure;
  cause?: unknown;
}

export class GitError extends Error {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly failure: GitFailure;

  constructor(message: string, details: GitErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.command = details.command;
    this.exitCode = details.exitCode ?? null;
    this.stderr = details.stderr ?? '';
    this.failure = details.failure ?? 'exit';
  }
}

/** The remote refused our credentials (HTTP 401/403) or asked for credentials we do not have. */
export class GitAuthenticationError extends GitError {}

/** A local ref was not at the expected old value (or existed when it must not). Re-read and retry. */
export class GitRefConflictError extends GitError {
  readonly refs: readonly string[];

  constructor(message: string, refs: readonly string[], details: GitErrorDetails) {
    super(message, details);
    this.refs = refs;
  }
}

export interface RejectedRef {
  ref: string;
  /** Git's reason, e.g. `stale info`, `non-fast-forward`, `atomic push failed`, a hook's message. */
  reason: string;
}

/**
 * The remote did not take the push: a lease did not hold (someone else pushed), an update was not
 * a fast-forward, or a hook declined. With `--atomic` nothing was updated. Callers re-fetch, rebuild
 * their commit on the new remote state, and retry.
 */
export class GitPushRejectedError extends GitError {
  readonly rejected: readonly RejectedRef[];

  constructor(message: string, rejected: readonly RejectedRef[], details: GitErrorDetails) {
    super(message, details);
    this.rejected = rejected;
  }
}

/** An object id (or ref) named in a read does not exist in the mirror. */
export class GitObjectNotFoundError extends GitError {
  readonly object: string;

  constructor(object: string, details: GitErrorDetails) {
    super(`git object "${object}" not found`, details);
    this.object = object;
  }
}

/** `signal.reason` as an Error (it is one unless someone aborted with a non-Error value). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`, { cause: reason });
}
