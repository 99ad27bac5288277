import { InferenceGuardError } from './errors';

/**
 * Loads a package the library declares as an optional peer dependency: the CLI's load generator
 * and SageMaker SDKs, which users who only compose constructs never download. A missing package
 * becomes an error that says which command needs it and how to install it.
 */
export function requireOptional<T>(name: string, usedBy: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes(name)) throw e;
    throw new InferenceGuardError('OPTIONAL_DEPENDENCY_MISSING', usedBy, [{
      prop: 'package', value: name, allowed: `installed: ${usedBy} needs it (an optional peer dependency of keras-inference-guard)`,
      fix: `npm install ${name}`,
    }]);
  }
}
