/**
 * The modules `load()` can name, as the catalog function registers them. The deterministic ones
 * are implemented; the others (network, HTML, spreadsheets, zip files, geometry, clocks) load so
 * that scripts which only import them still run, but each of their functions fails when called.
 * Nothing here touches the network or the file system.
 */
import { fail } from './errors.js';
import { base64Module, csvModule, hashModule, yamlModule } from './lib-encoding.js';
import { jsonModule } from './lib-json.js';
import { krmfnModule } from './lib-krmfn.js';
import { mathModule } from './lib-math.js';
import { reModule } from './lib-re.js';
import { Builtin, StarStruct, type Value } from './values.js';

function unsupported(qualified: string): Builtin {
  return new Builtin(qualified, () =>
    fail(
      `${qualified} is not supported by Lading's builtin starlark; run the function image in a container instead`,
    ),
  );
}

function unsupportedModule(name: string, members: readonly string[]): StarStruct {
  return new StarStruct(name, 'module', new Map(members.map((m) => [m, unsupported(`${name}.${m}`)])));
}

type Loader = () => ReadonlyMap<string, Value>;

const one =
  (name: string, make: () => Value): Loader =>
  () =>
    new Map([[name, make()]]);

/** Members of the modules Lading does not implement (starlib v0.5 and starlark-go's time). */
export const UNSUPPORTED_MODULES: Record<string, { binding: string; members: readonly string[] }> = {
  'bsoup.star': { binding: 'bsoup', members: ['parseHtml'] },
  'geo.star': { binding: 'geo', members: ['Point', 'Line', 'Polygon', 'MultiPolygon', 'parseGeoJSON'] },
  'html.star': { binding: 'html', members: [] },
  'http.star': { binding: 'http', members: ['get', 'put', 'post', 'delete', 'patch', 'options'] },
  'time.star': {
    binding: 'time',
    members: [
      'from_timestamp',
      'is_valid_timezone',
      'now',
      'parse_duration',
      'parse_time',
      'time',
      'nanosecond',
      'microsecond',
      'millisecond',
      'second',
      'minute',
      'hour',
    ],
  },
  'xlsx.star': { binding: 'xlsx', members: ['get_url'] },
  'zipfile.star': { binding: 'ZipFile', members: [] },
};

const LOADERS: Record<string, Loader> = {
  'encoding/base64.star': one('base64', base64Module),
  'encoding/csv.star': one('csv', csvModule),
  'encoding/json.star': one('json', jsonModule),
  'encoding/yaml.star': one('yaml', yamlModule),
  'hash.star': one('hash', hashModule),
  'krmfn.star': one('krmfn', krmfnModule),
  'math.star': one('math', mathModule),
  're.star': one('re', reModule),
};

for (const [module, { binding, members }] of Object.entries(UNSUPPORTED_MODULES)) {
  // `html` and `ZipFile` are functions themselves; the others are modules of functions.
  LOADERS[module] = one(binding, () =>
    members.length === 0 ? unsupported(binding) : unsupportedModule(binding, members),
  );
}

/** Module names `load()` accepts. */
export const MODULES: readonly string[] = Object.keys(LOADERS).sort();

/** The bindings of a module; fails for a module the catalog function does not have either. */
export function loadModule(module: string): ReadonlyMap<string, Value> {
  const loader = LOADERS[module];
  if (!loader) fail(`cannot load ${module}: no such module (available: ${MODULES.join(', ')})`);
  return loader();
}
