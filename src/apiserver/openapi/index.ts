export {
  definitionName,
  deleteOptionsSchema,
  listMetaSchema,
  managedFieldsEntrySchema,
  metaDefinitions,
  objectMetaSchema,
  ownerReferenceSchema,
  patchSchema,
  statusSchema,
  timeSchema,
  watchEventSchema,
} from './definitions.js';
export { DEFAULT_OPENAPI_INFO, openApiHash, type OpenApiInfo } from './document.js';
export { buildOpenApiV2, type OpenApiV2Document } from './v2.js';
export {
  buildOpenApiV3Documents,
  buildOpenApiV3GroupVersion,
  buildOpenApiV3Index,
  openApiV3IndexOf,
  openApiV3Path,
  type OpenApiV3Document,
  type OpenApiV3Entry,
  type OpenApiV3Index,
} from './v3.js';
