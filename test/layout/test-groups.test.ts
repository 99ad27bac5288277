import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * `npm test` runs jest with jest.grouped.config.js: most test files inside one jest test file per
 * directory (test/groups/<directory>.group.ts), the rest on their own (test/support/test-groups.js).
 * Every test file must run exactly once that way, as it does in a bare `npx jest`: a file in no group
 * and not on its own would silently not run.
 */
const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const groups = require(path.join(ROOT, 'test', 'support', 'test-groups.js')) as {
  STANDALONE: string[];
  testFiles(): string[];
  groupOf(file: string): string | undefined;
  groupNames(): string[];
  groupMembers(name: string): string[];
  groupFile(name: string): string;
};

/** The files jest selects with a configuration, relative to the project root. */
function listTests(config: string): string[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', config, '--listTests'], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
  });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => path.relative(ROOT, l.trim()).split(path.sep).join('/')).sort();
}

test('the grouped run selects every test file exactly once: in its directory\'s group, or on its own', () => {
  const everyFile = listTests('jest.config.js');
  expect(everyFile.length).toBeGreaterThan(100);
  expect(everyFile).toEqual(groups.testFiles());

  const grouped = listTests('jest.grouped.config.js');
  const groupFiles = grouped.filter((f) => f.startsWith('test/groups/'));
  const alone = grouped.filter((f) => !f.startsWith('test/groups/'));
  expect(groupFiles).toEqual(groups.groupNames().map((n) => `test/groups/${n}.group.ts`));

  const runs = [...alone, ...groups.groupNames().flatMap((n) => groups.groupMembers(n))].sort();
  expect(runs).toEqual(everyFile);
  // The longest files and the ones that run last run on their own, where the sequencer can order them.
  for (const f of groups.STANDALONE) expect({ f, alone: alone.includes(f) }).toEqual({ f, alone: true });
});

test('every group file is the one-line runner, and there is none without members', () => {
  const dir = path.join(ROOT, 'test', 'groups');
  const present = fs.readdirSync(dir).sort();
  expect(present).toEqual(groups.groupNames().map((n) => `${n}.group.ts`));
  for (const name of groups.groupNames()) {
    const text = fs.readFileSync(groups.groupFile(name), 'utf8');
    expect(text).toContain(`test/${name}/`);
    expect(text).toContain('runGroup(__filename);');
  }
});

test('a group member is the file of its directory: test/<directory>/...', () => {
  for (const name of groups.groupNames()) {
    for (const member of groups.groupMembers(name)) expect(member.startsWith(`test/${name}/`)).toBe(true);
  }
  expect(groups.groupOf('test/handlers/nothing-lost.test.ts')).toBeUndefined();
  expect(groups.groupOf('test/nag/rules/timeouts.test.ts')).toBe('nag');
});
