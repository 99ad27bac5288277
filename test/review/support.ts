/** `kig` in-process with buffered streams: the shared test helper under the name the review tests use. */
export { runKig as kig } from '../support/cli';
