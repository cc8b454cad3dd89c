/**
 * The layers of src/, bottom to top (docs/development.md, "Map"). A file may import its own
 * folder and the layers below it, never one above: so no two folders import each other.
 * Checked by eslint-plugin-boundaries in `npm run lint` (and so in `npm test`).
 */
export const layers = [
  // Pure time math; imports nothing of ours.
  { type: 'time', pattern: 'src/time' },
  // Files directly in src/ that import no folder but time.
  {
    type: 'leaf',
    files: 'src/{errors,clock,logger,log-lines,metrics,version,package-root,config,parse-input,wakeup}.ts',
  },
  { type: 'store', pattern: 'src/store' },
  { type: 'runs', pattern: 'src/runs' },
  { type: 'auth', pattern: 'src/auth' },
  { type: 'observability', pattern: 'src/observability' },
  // Model providers and their shared limits (rpm/tpm/max_concurrent); agents call them.
  { type: 'providers', pattern: 'src/providers' },
  { type: 'agents', pattern: 'src/agents' },
  { type: 'workflows', pattern: 'src/workflows' },
  { type: 'waits', pattern: 'src/waits' },
  // What decides whether a run may start: precheck, budgets, concurrency keys (docs/gates.md).
  { type: 'gates', pattern: 'src/gates' },
  { type: 'scheduler', pattern: 'src/scheduler' },
  { type: 'worker', pattern: 'src/worker' },
  { type: 'triggers', pattern: 'src/triggers' },
  { type: 'tools', pattern: 'src/tools' },
  { type: 'api', pattern: 'src/api' },
  { type: 'sdk', pattern: 'src/sdk' },
  // The composition root and what it wires: every other file directly in src/ but index.ts.
  { type: 'app', files: 'src/!(index).ts' },
  { type: 'cli', pattern: 'src/cli' },
  // The library's entry (what config files import).
  { type: 'entry', files: 'src/index.ts' },
];

// Root files are elements of one file each (the plugin's "file" mode); the folders are folders.
const elements = layers.map(({ type, pattern, files }) =>
  files ? { type, mode: 'file', pattern: files } : { type, pattern },
);

/** Files of `from` may import files of any type in `to`. */
const may = (from, to) => ({ from: { element: { type: from } }, allow: { to: { element: { types: { anyOf: to } } } } });

function policies() {
  const result = [];
  layers.forEach(({ type }, i) => {
    const below = layers.slice(0, i).map((layer) => layer.type);
    // Root files import each other as elements of their own; a folder's files are one element.
    const itself = type === 'leaf' || type === 'app' ? [type] : [];
    if (below.length + itself.length > 0) result.push(may(type, [...below, ...itself]));
  });
  // The dashboard is built on its own: it may use the SDK's types and nothing else of src/.
  result.push(may('ui', ['sdk']));
  return result;
}

export const layerSettings = {
  'boundaries/include': ['src/**/*'],
  'boundaries/elements': [...elements, { type: 'ui', pattern: 'src/ui' }],
  // v7 deprecates the "file" mode the root files use (an element is a folder there); it still works.
  'boundaries/legacy-warnings': false,
};

export const layerRule = [
  'error',
  {
    default: 'disallow',
    // An import of a file no layer names (a new folder) is refused too: add it to the map first.
    checkUnknownLocals: true,
    message:
      'imports go down the layers of docs/development.md ("Map"); this one points up or sideways: move the code to the layer it belongs to, or pass it in as a parameter',
    policies: policies(),
  },
];
