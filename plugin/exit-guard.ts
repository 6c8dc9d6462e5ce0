// Runs a synchronous cleanup if the process ends while something is half done: on exit, and on
// SIGINT/SIGTERM/SIGHUP. The framework re-raises a signal to end the process only when nobody
// else listens for it (scripts/serverless.js), so while we listen we clean up and re-raise it
// ourselves: the process still ends by the signal, as the user asked.
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Installs the guard; call the returned function to remove it once the work ended normally. */
export function guardCleanup(cleanup: () => void): () => void {
  let done = false;
  const runOnce = () => {
    if (done) return;
    done = true;
    try {
      cleanup();
    } catch {
      // the process is ending: nothing better to do than leave the rest
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    runOnce();
    process.kill(process.pid, signal);
  };
  const release = () => {
    process.removeListener('exit', runOnce);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  process.once('exit', runOnce);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return release;
}
