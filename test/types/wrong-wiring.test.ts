import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The types make the wrong wiring impossible: the fixture, compiled without its
 * `@ts-expect-error` directives, fails exactly on the lines that put an asynchronous backend
 * behind the synchronous API integration or give it to a synchronous queue worker.
 */
test('an asynchronous backend cannot be wired where a synchronous one belongs', () => {
  const fixture = path.join(__dirname, 'wrong-wiring.fixture.ts');
  const source = fs.readFileSync(fixture, 'utf8');
  const stripped = source.replace(/\/\/ @ts-expect-error (WRONG-[A-Z]+).*/g, '// $1');
  const configPath = path.join(__dirname, '..', '..', 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath));
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, target, ...rest) => (path.resolve(name) === fixture ? ts.createSourceFile(name, stripped, target) : read(name, target, ...rest));
  const program = ts.createProgram([fixture], { ...config.options, noEmit: true }, host);
  // The fixture's own diagnostics only: the checker resolves the library's types it uses, without
  // checking every body of the library (tsc --noEmit in npm test does that).
  const sourceFile = program.getSourceFile(fixture)!;
  const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];

  const lines = stripped.split('\n');
  const markerLine = (marker: string) => lines.findIndex((l) => l.includes(`// ${marker}`)) + 1; // the line after the marker, 0-based
  const errorsOn = (line: number) => diagnostics
    .filter((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line === line)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

  expect(errorsOn(markerLine('WRONG-API')).join('\n')).toMatch(/Property 'bindSync' is missing in type 'SageMakerAsyncBackend'/);
  expect(errorsOn(markerLine('WRONG-WORKER')).join('\n')).toMatch(/'SageMakerAsyncBackend' is missing the following properties from type 'ISyncInferenceBackend': bindWorker, bindSync/);
  expect(errorsOn(markerLine('WRONG-ASSIGN')).join('\n')).toMatch(/Type 'SageMakerAsyncBackend' is missing the following properties from type 'ISyncInferenceBackend': bindWorker, bindSync/);
  // Nothing else in the fixture fails: the errors are the wiring, not a broken fixture.
  const wiringLines = new Set(['WRONG-API', 'WRONG-WORKER', 'WRONG-ASSIGN'].map(markerLine));
  expect(diagnostics.filter((d) => !wiringLines.has(d.file!.getLineAndCharacterOfPosition(d.start!).line)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
});
