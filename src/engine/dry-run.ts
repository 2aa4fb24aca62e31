/**
 * Every package write is a git commit (and a push), which has no dry run: a request with
 * `dryRun=All` is refused before anything is read or written, rather than carried out for real.
 */
import { BadRequestError } from '../apimachinery/index.js';
import type { WriteRequest } from '../registry/index.js';

export function refuseDryRun(request: Pick<WriteRequest, 'dryRun'>, resource: string): void {
  if (request.dryRun) {
    throw new BadRequestError(
      `dryRun is not supported for ${resource}: every write of a package revision is a git commit`,
    );
  }
}
