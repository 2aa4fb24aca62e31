#!/usr/bin/env node
// A builtin catalog function as an exec function (for bench/fn-render.ts):
// `fn-exec-builtin.mjs <name>` reads a ResourceList on stdin, runs the builtin, writes the output.
import { readFileSync } from 'node:fs';
import { createBuiltinRuntime } from '../dist/fn/index.js';
import { buildResourceList, parseResourceList } from '../dist/krm/index.js';

const name = process.argv[2];
const input = parseResourceList(readFileSync(0, 'utf8'));
const runner = await createBuiltinRuntime().resolve({ image: name });
if (!runner) {
  process.stderr.write(`no builtin ${name}\n`);
  process.exit(2);
}
const outcome = await runner({ items: input.items, functionConfig: input.functionConfig, results: [] });
process.stdout.write(
  buildResourceList(outcome.output.items, {
    ...(input.functionConfig ? { functionConfig: input.functionConfig } : {}),
    results: outcome.output.results,
  }),
);
process.stderr.write(outcome.stderr);
process.exitCode = outcome.exitCode;
