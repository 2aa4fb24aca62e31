export { repositoryKind } from './repository-kind.js';
export { RepositoryController, type RepositoryControllerDeps } from './repository-controller.js';
