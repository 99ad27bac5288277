// Mutation testing (StrykerJS) of the modules that compute numbers or verdicts.
// `npm run test:mutation [module ...]` runs scripts/mutation.sh, which runs Stryker once per module
// below (every one by default, in this order) with MUTATION_MODULE set: each module mutates only its own files and runs only the test
// files that check them, one test process at a time (this is not part of `npm test`).
// Reports: reports/mutation/<module>/index.html (and mutation.json); the incremental file
// reports/mutation/<module>.incremental.json (kept locally, not committed: it records the paths of
// the run) lets a re-run test only the mutants whose code or tests changed.

/**
 * Per module: the files (or line ranges, `file:start-end`) mutated, and the test files run. A
 * `test/mutation/<module>.suite.ts` imports a module's test files into one jest test file: each
 * test file costs jest a fresh test environment (about a second on the shared machine), paid per
 * mutant; the suite pays it once.
 */
export const MODULES = {
  profile: {
    // The derivations (limits, queue limits, the timeout chain); the checks of the input they derive
    // from and of hand-built limits are the `profile-input` module below.
    mutate: ['lib/profile/limits.ts', 'lib/profile/queue-limits.ts', 'lib/profile/timeout-chain.ts', 'lib/profile/derive.ts'],
    // The derivations' own tests, imported by the suite into one jest test file (a mutant then costs one
    // test environment, not one per file): limits, formulas, limits-problems, queue-limits, cost-units,
    // queue-problems (hostile-props.test.ts synthesizes stacks: too slow to run per mutant).
    tests: ['test/mutation/profile.suite.ts'],
  },
  'profile-input': {
    // What the derivations take in: the profile (its validation, the JSON file, the profiler's
    // records) and a limits object built or edited by hand (the problems a construct reports).
    mutate: ['lib/profile/inference-profile.ts', 'lib/profile/private/limits-problems.ts'],
    // The profile's tests, the problems of deriveLimits and deriveQueueLimits (which validate the
    // profile first), and limitsProblems on hand-built limits (hostile-props.test.ts checks it through
    // constructs: too slow to run per mutant).
    tests: ['test/mutation/profile-input.suite.ts'],
  },
  api: {
    // The WAF Content-Length rule; in the construct, the stage and usage-plan throttles, the WAF
    // rules and their inspection limit, and the gateway responses (line ranges of inference-api.ts).
    mutate: [
      'lib/api/content-length.ts', 'lib/api/integration-failure.ts',
      'lib/api/inference-api.ts:248-251', 'lib/api/inference-api.ts:306-325', 'lib/api/inference-api.ts:330-352',
      'lib/api/inference-api.ts:359-361', 'lib/api/inference-api.ts:394-425',
    ],
    // api-numbers.test.ts checks every number and answer of those ranges with two small stacks;
    // inference-api.test.ts (which loads the whole package and synthesizes a dozen stacks) would
    // run in full for each mutant of constructor code, which every test of a file shares.
    tests: ['test/api/content-length.test.ts', 'test/api/api-numbers.test.ts'],
  },
  queue: {
    // The queue's formulas (cap, Retry-After, backoff, cost units) live in lib/core for every module that sizes a queue.
    mutate: ['lib/core/queue-formulas.ts'],
    tests: ['test/queue/formulas.test.ts', 'test/profile/cost-units.test.ts'],
  },
  // lib/review in three parts, each run with the tests that check it (one run of the whole took
  // several hours on the shared machine): the cost model, the SAM expansion, the rules' helpers.
  // (test/review/cost-example.test.ts synthesizes an example: left out, it would run for every mutant.)
  'review-cost': {
    mutate: ['lib/review/cost-formulas.ts', 'lib/review/cost.ts'],
    tests: ['test/mutation/review-cost.suite.ts'],
  },
  'review-sam': {
    mutate: ['lib/review/sam.ts'],
    // sam-translated.test.ts compares the expansion with the SAM translator's output resource by resource.
    tests: ['test/mutation/review-sam.suite.ts'],
  },
  'review-rules': {
    mutate: ['lib/nag/rules/helpers.ts'],
    // helpers.test.ts checks each helper on its own; the rule tests import the rules' modules, not
    // the package's nag index (cdk-nag and aws-cdk-lib for the pack, loaded again per test file).
    tests: ['test/mutation/review-rules.suite.ts'],
  },
  model: {
    mutate: ['lib/model/inspection.ts'],
    tests: ['test/model/inspection.test.ts'],
  },
  // The admission handler's bound, DepthGauge, in three parts (each mutant runs the moto-backed
  // tests that cover it, about a minute on the shared machine): the cached reading, the early
  // re-read and the cap check; the conditional ledger write with the cost units and its refusal;
  // what it reads (the refusal's limit, the cap, the counter and depth readings).
  // The request parsing and the responses around it run the same tests for every mutant, which
  // takes hours: `MUTATE=handlers/admission/core.ts npm run test:mutation -- admission-cache` runs the whole file.
  'admission-cache': {
    mutate: ['handlers/admission/core.ts:120-155'],
    tests: ['test/handlers/admission.test.ts', 'test/handlers/cost-ledger.test.ts'],
  },
  'admission-write': {
    mutate: ['handlers/admission/core.ts:156-195'],
    tests: ['test/handlers/admission.test.ts', 'test/handlers/cost-ledger.test.ts'],
  },
  'admission-reading': {
    mutate: ['handlers/admission/core.ts:196-250'],
    tests: ['test/handlers/admission.test.ts', 'test/handlers/cost-ledger.test.ts'],
  },
};

const name = process.env.MUTATION_MODULE;
// `list`: scripts/mutation.sh only reads MODULES.
const mod = name === 'list' ? { mutate: [], tests: [] } : MODULES[name];
if (!mod) throw new Error(`MUTATION_MODULE = ${JSON.stringify(name)}: allowed one of ${Object.keys(MODULES).join(', ')}; run it through npm run test:mutation`);

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // The TypeScript checker drops mutants that do not compile. It type-checks the library for each
  // group of mutants: on a 2-core machine shared with other work that took longer than running the
  // tests, so it is opt-in (MUTATION_TYPECHECK=1). Without it a mutant that would not compile
  // still runs (jest only transpiles) and is counted killed or survived like any other.
  checkers: process.env.MUTATION_TYPECHECK === '1' ? ['typescript'] : [],
  // The library and the handlers only (tests are not mutated, and the whole program is several
  // times the size to check); unused locals are no error for a mutant that removes a use.
  tsconfigFile: 'tsconfig.mutation.json',
  // Checks mutants in groups, splitting a group only when it fails.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // jest.config.js's transform (esbuild, test/support/esbuild-transform.js) transpiles each file on
    // its own: types are not checked in these runs anyway.
    config: {
      testMatch: mod.tests.map((t) => `<rootDir>/${t}`), maxWorkers: 1, globalSetup: '<rootDir>/test/support/mutation-setup.js',
    },
    enableFindRelatedTests: true,
  },
  mutate: process.env.MUTATE ? process.env.MUTATE.split(',') : mod.mutate,
  concurrency: 1,
  // Generous: the machine is shared, and a slow run must not pass for a killed mutant's timeout.
  timeoutMS: 20000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  clearTextReporter: { logTests: false },
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  tempDirName: `.stryker-tmp/${name}`,
  ignorePatterns: ['dist', 'cdk.out', '**/cdk.out', 'assets/handlers', 'reports', '.bench', '.venv', '.fixtures', 'API.md', 'coverage', '*.tsbuildinfo', '.jsii', '.jsii.gz', '.stryker-tmp', '__pycache__', '.pytest_cache'],
  thresholds: { high: 90, low: 80, break: null },
};
