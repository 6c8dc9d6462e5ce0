// An error the user can fix (missing build, a folder in the way, a missing package): the
// plugin hands these to the framework as its own error type, printed without a stack trace.
export class PluginUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginUserError';
  }
}
