// Cuts a list into runs whose JSON stays under a byte budget, so that each run fits one DynamoDB
// item (400 KB at most). A single element over the budget gets a run of its own. Pure.
export function splitBySize<T>(list: readonly T[], maxBytes: number): T[][] {
  const out: T[][] = [[]];
  let size = 0;
  for (const x of list) {
    const bytes = Buffer.byteLength(JSON.stringify(x), 'utf8');
    if (size + bytes > maxBytes && out[out.length - 1]!.length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1]!.push(x);
    size += bytes;
  }
  return out;
}
