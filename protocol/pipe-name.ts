// How a pipe is named in a batch's kernel events (`path` of a read or write on a pipe): a pipe has no
// path, so the agent names it after the process that created it, a sequence number, and when it was
// created. The correlator and the analyses read that name back: a pipe the container's runtime created
// before its first activation is start-up plumbing (upg/analyses/startup-state.ts), not state one
// activation left for the next.
//
//   pipe:<creator pid>.<sequence>@<created, ms since the epoch>

export const PIPE_PREFIX = 'pipe:';

export interface PipeName {
  /** the creating process, numbered as the batch numbers processes (KernelEventLite.pid) */
  creatorPid: number;
  /** distinguishes pipes one agent named (unique per agent run) */
  seq: number;
  /** when the pipe was created, ms since the epoch */
  createdMs: number;
}

export function pipeName(p: PipeName): string {
  return `${PIPE_PREFIX}${p.creatorPid}.${p.seq}@${p.createdMs}`;
}

const SHAPE = /^pipe:(\d+)\.(\d+)@(\d+(?:\.\d+)?)$/;

/** The parts of a pipe's name, or undefined for any other path (or a pipe named some other way). */
export function parsePipeName(path: string): PipeName | undefined {
  const m = SHAPE.exec(path);
  if (!m) return undefined;
  return { creatorPid: Number(m[1]), seq: Number(m[2]), createdMs: Number(m[3]) };
}
