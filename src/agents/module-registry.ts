import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { AssistantDefinition } from './define-assistant.ts';
import { assertDefinition, isAssistantDefinition } from './define-assistant.ts';

/** The module assistants this process can run, by id: built-ins plus those of the config file. */
export interface ModuleRegistry {
  get(id: string): AssistantDefinition | undefined;
  has(id: string): boolean;
  ids(): string[];
  /** The config file the modules came from, if any. */
  readonly source: string | undefined;
  /**
   * The workflow definitions the config file declares (`workflows: [defineWorkflow(…)]`), as
   * JSON; their function steps are among the modules. Registered at start (src/workflows).
   */
  readonly workflows?: ReadonlyArray<unknown>;
  /** That file's top-level object, for the parts of Kairos that read other keys (`schedules`, `prune`). */
  readonly contents?: Readonly<Record<string, unknown>>;
}

export class ModuleConfigError extends Error {
  readonly code = 'invalid_config';
}

/** Looked for in this order in the working directory when no KAIROS_CONFIG is given. */
export const configFileNames = [
  'kairos.config.ts',
  'kairos.config.mts',
  'kairos.config.js',
  'kairos.config.mjs',
  'kairos.config.json',
];

export function createModuleRegistry(
  definitions: Iterable<AssistantDefinition>,
  source?: string,
  contents?: Readonly<Record<string, unknown>>,
): ModuleRegistry {
  const byId = new Map<string, AssistantDefinition>();
  for (const definition of definitions) {
    assertDefinition(definition, source ?? 'module registry');
    if (byId.has(definition.id)) {
      throw new ModuleConfigError(
        `two module assistants share the id "${definition.id}"${source ? ` (in ${source})` : ''}: ids must be unique`,
      );
    }
    byId.set(definition.id, definition);
  }
  return {
    get: (id) => byId.get(id),
    has: (id) => byId.has(id),
    ids: () => [...byId.keys()].sort(),
    source,
    ...(contents && { contents }),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The config file to load: `configFile` (must exist) or the first `kairos.config.*` in `cwd`. */
export async function findConfigFile(configFile: string | undefined, cwd = process.cwd()): Promise<string | undefined> {
  if (configFile) {
    const path = resolve(cwd, configFile);
    if (!(await exists(path))) throw new ModuleConfigError(`KAIROS_CONFIG names ${path}, which does not exist`);
    return path;
  }
  for (const name of configFileNames) {
    const path = resolve(cwd, name);
    if (await exists(path)) return path;
  }
  return undefined;
}

async function importFile(path: string): Promise<Record<string, unknown>> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(pathToFileURL(path).href, { parentURL: import.meta.url })) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleConfigError(`cannot load ${path}: ${(error as Error).message}`, { cause: error });
  }
  // A .ts file outside a `"type": "module"` package is compiled to CommonJS, and its ESM exports
  // arrive wrapped: `default` is the whole exports object, marked `__esModule`. Unwrap it.
  const inner = namespace.default as { __esModule?: unknown } | undefined;
  if (typeof inner === 'object' && inner !== null && inner.__esModule === true) {
    return { ...(inner as Record<string, unknown>) };
  }
  return namespace;
}

/** Every definition a module file exports: its default (one or a list) and named definitions. */
function definitionsOf(exports: Record<string, unknown>, path: string): AssistantDefinition[] {
  const found: AssistantDefinition[] = [];
  const take = (value: unknown, name: string) => {
    if (Array.isArray(value)) value.forEach((item, index) => take(item, `${name}[${index}]`));
    else if (isAssistantDefinition(value)) found.push(value);
    else if (name === 'default' && value !== undefined) {
      assertDefinition(value, `${path} (default export)`);
      found.push(value);
    }
  };
  for (const [name, value] of Object.entries(exports)) take(value, name);
  if (found.length === 0)
    throw new ModuleConfigError(`${path} exports no assistant: export default defineAssistant({ id, name, run })`);
  return [...new Set(found)];
}

interface ConfigFileContents {
  assistants?: unknown;
  modules?: unknown;
  workflows?: unknown;
}

/** A defineWorkflow() result (branded with a global symbol, so config files' copies match). */
interface DeclaredWorkflowLike {
  definition: unknown;
  modules: AssistantDefinition[];
}

function isDeclaredWorkflow(value: unknown): value is DeclaredWorkflowLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('kairos.workflow-definition')] === true
  );
}

/**
 * Loads the module assistants named by the config file: `kairos.config.ts|.js` exporting
 * `{ assistants: [defineAssistant(…)], modules: ['./agents/x.ts'] }`, or `kairos.config.json`
 * with `{ "modules": ["./agents/x.ts"] }`. Module paths are relative to the config file.
 * Other top-level keys are left to other parts of Kairos. `builtIns` come first; a config
 * assistant may not reuse a built-in id.
 */
export async function loadModuleRegistry(options: {
  configFile?: string | undefined;
  cwd?: string;
  builtIns?: ReadonlyArray<AssistantDefinition>;
}): Promise<ModuleRegistry> {
  const path = await findConfigFile(options.configFile, options.cwd);
  const definitions: AssistantDefinition[] = [...(options.builtIns ?? [])];
  if (!path) return createModuleRegistry(definitions);

  let contents: ConfigFileContents;
  if (path.endsWith('.json')) {
    try {
      contents = JSON.parse(await readFile(path, 'utf8')) as ConfigFileContents;
    } catch (error) {
      throw new ModuleConfigError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
  } else {
    const exports = await importFile(path);
    contents = (exports.default ?? exports) as ConfigFileContents;
  }
  if (typeof contents !== 'object' || contents === null) throw new ModuleConfigError(`${path} must export an object`);

  if (contents.assistants !== undefined) {
    if (!Array.isArray(contents.assistants))
      throw new ModuleConfigError(`${path}: "assistants" must be a list of defineAssistant(…)`);
    contents.assistants.forEach((item: unknown, index) => {
      assertDefinition(item, `${path}: assistants[${index}]`);
      definitions.push(item);
    });
  }
  const workflows: unknown[] = [];
  if (contents.workflows !== undefined) {
    if (!Array.isArray(contents.workflows))
      throw new ModuleConfigError(`${path}: "workflows" must be a list of defineWorkflow(…) or workflow JSON`);
    for (const item of contents.workflows as unknown[]) {
      if (isDeclaredWorkflow(item)) {
        workflows.push(item.definition);
        definitions.push(...item.modules);
      } else workflows.push(item);
    }
  }
  if (contents.modules !== undefined) {
    if (!Array.isArray(contents.modules) || contents.modules.some((item) => typeof item !== 'string')) {
      throw new ModuleConfigError(`${path}: "modules" must be a list of file paths`);
    }
    for (const modulePath of contents.modules as string[]) {
      const file = isAbsolute(modulePath) ? modulePath : resolve(dirname(path), modulePath);
      definitions.push(...definitionsOf(await importFile(file), file));
    }
  }
  return { ...createModuleRegistry(definitions, path, contents as Record<string, unknown>), workflows };
}
