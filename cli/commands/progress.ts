// Progress of long analyses on stderr, only when stderr is a terminal (never in pipes, files or tests).
export function progressLine(stream: NodeJS.WriteStream = process.stderr): (line: string) => void {
  if (!stream.isTTY) return () => undefined;
  let shown = 0;
  return (line: string) => {
    // One line, rewritten in place; an empty line clears it.
    stream.write(`\r${line.padEnd(shown)}${line === '' ? '\r' : ''}`);
    shown = line.length;
  };
}
