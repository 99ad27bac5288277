import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const groups = require('./test-groups') as { ROOT: string; groupMembers(name: string): string[] };

/**
 * Registers, in the jest test file `groupFile` (test/groups/<name>.group.ts), the test files of group
 * <name> (test/support/test-groups.js), each in a `describe` block named by its path, so that its
 * hooks apply to its own tests as in a run of its own. What a file could leave behind for the next
 * one is put back after it: the environment variables and any spied-on function.
 */
export function runGroup(groupFile: string): void {
  const name = path.basename(groupFile, '.group.ts');
  const members = groups.groupMembers(name);
  if (members.length === 0) throw new Error(`test group ${name} has no test files: remove ${path.relative(groups.ROOT, groupFile)}`);
  for (const member of members) {
    describe(member, () => {
      let saved: NodeJS.ProcessEnv = {};
      beforeAll(() => { saved = { ...process.env }; });
      afterAll(() => {
        jest.restoreAllMocks();
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(groups.ROOT, member));
    });
  }
}
