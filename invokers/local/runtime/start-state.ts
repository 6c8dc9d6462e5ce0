// What an action's process already has loaded when its code arrives with /init, as in OpenWhisk's
// own Node runtime. That runtime is an express 4 application: before /init, express has loaded
// these builtins beyond `http` (its etag and cookie-signature load `crypto`, body-parser `zlib`,
// debug `tty`). An action (or the wrapper inside it) that requires one of them there pays nothing
// for it in its cold start; this runtime, on plain `http`, would charge the action the load
// (crypto alone is about 3 ms), so it loads the same ones at start. start-state.test.ts checks the
// list against express itself.
export const OPENWHISK_RUNTIME_BUILTINS = ['crypto', 'tty', 'zlib'] as const;

/** Loads the builtins OpenWhisk's Node runtime has loaded before /init. */
export function loadOpenwhiskStartState(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const name of OPENWHISK_RUNTIME_BUILTINS) require(`node:${name}`);
}
