// The long-running commands (`provenance agent`, `provenance local start`) run in the foreground
// until Ctrl-C or a service manager's SIGTERM, then stop what they started. Both signals are heard
// once: the handlers come off at the first, so a second Ctrl-C during a slow stop is Node's default
// (exit at once) rather than a second stop racing the first.
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** What a signal source needs to offer (the process, or an emitter in a unit test). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Resolves with the first of SIGINT/SIGTERM; `heard` says so (e.g. one line on stderr) before the stop begins. */
export function untilStopSignal(heard: (signal: NodeJS.Signals) => void, source: SignalSource = process): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of STOP_SIGNALS) source.off(s, onSignal);
      heard(signal);
      resolve(signal);
    };
    for (const s of STOP_SIGNALS) source.on(s, onSignal);
  });
}
