export { repositoryKind } from './repository-kind.js';
