// Where a command writes its result: process.stdout for the `provenance` bin, anything with a write()
// for callers such as `sls provenance …` (the plugin) or tests.
export interface Output {
  write(text: string): unknown;
}

/** Collects what a command writes (for callers that post-process it). */
export function bufferOutput(): Output & { text(): string } {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}
