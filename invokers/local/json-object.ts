// Every request body, document and message the embedded platform reads is JSON from another process
// (a client, a container's runtime): this tells a JSON object from the other values before any field
// of it is read.
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
