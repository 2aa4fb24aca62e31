export * from './errors.js';
export * from './object.js';
export type * from './schema.js';
