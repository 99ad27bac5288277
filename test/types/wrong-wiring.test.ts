import * as fs from 'fs';
import * as path from 'path';
import { typeCheck } from '../support/typecheck';

/**
 * The types make the wrong wiring impossible: the fixture, compiled without its
 * `@ts-expect-error` directives, fails exactly on the lines that put an asynchronous backend
 * behind the synchronous API integration or give it to a synchronous queue worker.
 */
test('an asynchronous backend cannot be wired where a synchronous one belongs', () => {
  const fixture = path.join(__dirname, 'wrong-wiring.fixture.ts');
  const source = fs.readFileSync(fixture, 'utf8');
  const stripped = source.replace(/\/\/ @ts-expect-error (WRONG-[A-Z]+).*/g, '// $1');
  // The fixture's copy sits at its depth below the repository (test/types), so `../../lib` is the package's sources.
  const all = typeCheck(new Map([['wrong-wiring.ts', stripped]]), { depth: 2 });
  // The fixture's own diagnostics only (the library's are tsc's, in npm test).
  const diagnostics = all.filter((d) => path.basename(d.file) === 'wrong-wiring.ts');
  expect(all.filter((d) => !diagnostics.includes(d))).toEqual([]);

  const lines = stripped.split('\n');
  const markerLine = (marker: string) => lines.findIndex((l) => l.includes(`// ${marker}`)) + 1; // the line after the marker, 0-based
  const errorsOn = (line: number) => diagnostics.filter((d) => d.line - 1 === line).map((d) => d.message);

  expect(errorsOn(markerLine('WRONG-API')).join('\n')).toMatch(/Property 'bindSync' is missing in type 'SageMakerAsyncBackend'/);
  expect(errorsOn(markerLine('WRONG-WORKER')).join('\n')).toMatch(/'SageMakerAsyncBackend' is missing the following properties from type 'ISyncInferenceBackend': bindWorker, bindSync/);
  expect(errorsOn(markerLine('WRONG-ASSIGN')).join('\n')).toMatch(/Type 'SageMakerAsyncBackend' is missing the following properties from type 'ISyncInferenceBackend': bindWorker, bindSync/);
  // Nothing else in the fixture fails: the errors are the wiring, not a broken fixture.
  const wiringLines = new Set(['WRONG-API', 'WRONG-WORKER', 'WRONG-ASSIGN'].map(markerLine));
  expect(diagnostics.filter((d) => !wiringLines.has(d.line - 1)).map((d) => `${d.line}: ${d.message}`)).toEqual([]);
});
