/**
 * `config.porch.kpt.dev/v1alpha1` Repository as a stored kind: Porch's schema, printer columns and
 * rules (name a DNS label of at most 63 characters, `spec.git` for git repositories, immutable
 * location fields).
 */
import {
  REPOSITORY_IMMUTABLE_FIELDS,
  RepositorySchema,
  repositoryInfo,
  type Repository,
} from '../apis/index.js';
import { fieldError, validateDNS1123Label, type StatusCause } from '../apimachinery/index.js';
import { kindFromInfo, type KindDefinition } from '../registry/index.js';
import { parseCron } from './cron.js';

function validateRepository(object: unknown): StatusCause[] {
  const repo = object as Repository;
  const causes = validateDNS1123Label(repo.metadata?.name ?? '', 'metadata.name');
  const spec = repo.spec ?? {};
  const type = spec.type ?? 'git';
  if (type === 'git' && spec.git === undefined) {
    causes.push(
      fieldError.required('spec.git', 'a git repository needs spec.git with at least spec.git.repo'),
    );
  }
  if (spec.sync?.schedule) {
    try {
      parseCron(spec.sync.schedule);
    } catch (err) {
      causes.push(fieldError.invalid('spec.sync.schedule', spec.sync.schedule, (err as Error).message));
    }
  }
  if (type === 'oci' && spec.oci === undefined) {
    causes.push(fieldError.required('spec.oci', 'an oci repository needs spec.oci with spec.oci.registry'));
  }
  return causes;
}

export const repositoryKind: KindDefinition = kindFromInfo(repositoryInfo, RepositorySchema, {
  validate: validateRepository,
  immutableFields: REPOSITORY_IMMUTABLE_FIELDS,
});
