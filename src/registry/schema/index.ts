export { validateValue } from './validate.js';
export { pruneUnknownFields, type PruneOptions } from './prune.js';
export { applyDefaults } from './defaults.js';
export { checkStructural } from './structural.js';
