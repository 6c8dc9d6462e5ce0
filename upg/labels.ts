// How an action name and a byte count read in a graph: node labels the correlator writes, and the
// tree, picture and document renderers. One spelling, so a label in the store and one drawn from the
// graph later agree.

/** "/_/purchase" -> "purchase", "/ns/pkg/act" -> "pkg/act" */
export function shortAction(name: string): string {
  const parts = name.split('/').filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join('/') : name;
}

/** 512 B, 1.5 KiB, 2.0 MiB */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
