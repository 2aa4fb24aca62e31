/** A Go `text/template` engine for Package Operator's `.gotmpl` files (see parse.ts for the syntax covered). */
export { TemplateSet, FuncError, isTruthy, markStringMap, type TemplateFunc } from './exec.js';
export { TemplateError } from './parse.js';
export { SPRIG, goJson, goYaml } from './funcs.js';
export { formatValue, formatFloat } from './format.js';
