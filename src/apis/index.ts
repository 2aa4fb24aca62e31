export * from './core-v1.js';
export * from './apiextensions-v1.js';
export * from './schema-helpers.js';
