// The real Lambda handlers, built for the local cloud: functions/<kebab>.ts exports `makeHandler(ports)`; the ASL
// names a function `{"Fn::GetAtt": ["<Pascal>LambdaFunction", "Arn"]}` and event rules name it in camelCase.
import type { Ports } from '#ports/index.ts';
import { UnsupportedDefinitionError } from '../errors.ts';
import { lambdaContext } from './lambda-context.ts';

export type Invoke = (event: unknown) => Promise<unknown>;
type HandlerModule = { makeHandler(ports: Ports): (event: unknown, context: unknown) => Promise<unknown> };

/** `SignFirmwareLambdaFunction`, `signFirmware` or `sign-firmware` → `sign-firmware`. */
export function moduleNameOf(name: string): string {
  return name
    .replace(/LambdaFunction$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/** Keeps Powertools quiet and local: no JSON logs, EMF metrics or X-Ray segments on the user's terminal. */
export function quietPowertools(): void {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'ota-release-local';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'ota-release-local';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
}

/**
 * Handler modules loaded so far in this process. An `import()` of a module already loaded still asks the module
 * loader (with tsx, a round trip to its hooks thread each time), so the clouds of an assessment — hundreds in one
 * process — ask once per module, not once per module per cloud. Each cloud still builds its own handlers.
 */
const loadedModules = new Map<string, Promise<HandlerModule>>();

function importHandlerModule(moduleName: string): Promise<HandlerModule> {
  let module = loadedModules.get(moduleName);
  if (!module) {
    // A relative path, not #functions/: the compiled CLI (scripts/build-cli.mjs) bundles every module this pattern can
    // name, each in its own chunk, which it cannot do for a package import.
    module = import(`../../../functions/${moduleName}.ts`) as Promise<HandlerModule>;
    // A module that failed to load is asked again next time (its error may have been fixed meanwhile, in a watch).
    module.catch(() => loadedModules.delete(moduleName));
    loadedModules.set(moduleName, module);
  }
  return module;
}

export class LocalHandlers {
  private readonly built = new Map<string, Invoke>();
  /** Invocations per module, for the report. */
  readonly invocations: Record<string, number> = {};

  /**
   * `around` runs each invocation (the embedded cloud counts the control-plane calls an invocation makes through it).
   */
  constructor(
    private readonly ports: Ports,
    private readonly around: <T>(name: string, run: () => Promise<T>) => Promise<T> = (_name, run) => run(),
  ) {}

  /** Loads and builds every named handler up front, so a missing module fails before anything starts. */
  async load(names: Iterable<string>): Promise<void> {
    quietPowertools();
    for (const name of names) {
      const moduleName = moduleNameOf(name);
      if (this.built.has(moduleName)) continue;
      let module: HandlerModule;
      try {
        module = await importHandlerModule(moduleName);
      } catch (error) {
        throw new UnsupportedDefinitionError(`cannot load functions/${moduleName}.ts: ${(error as Error).message}`, { cause: error });
      }
      if (typeof module.makeHandler !== 'function') throw new UnsupportedDefinitionError(`functions/${moduleName}.ts does not export makeHandler(ports)`);
      const handler = module.makeHandler(this.ports);
      this.built.set(moduleName, (event) => {
        this.invocations[moduleName] = (this.invocations[moduleName] ?? 0) + 1;
        return this.around(moduleName, () => handler(event, lambdaContext(moduleName)));
      });
    }
  }

  get(name: string): Invoke {
    const invoke = this.built.get(moduleNameOf(name));
    if (!invoke) throw new UnsupportedDefinitionError(`handler ${moduleNameOf(name)} was not loaded`);
    return invoke;
  }
}
