// What each file descriptor of a captured process refers to, rebuilt from the kernel's own
// stream (open, socket, pipe, accept, dup, close, connect, bind), so that a read or write on fd 7
// can be told as "read /tmp/x" or "send to 127.0.0.1:8080". Pure.
import * as path from 'node:path';
import type { SockAddr } from '../../kmod/sockaddr';

export type FdTarget =
  | { kind: 'file'; path: string }
  | { kind: 'pipe'; id: string }
  | { kind: 'socket'; proto: string; peer?: Endpoint; local?: Endpoint };

export interface Endpoint {
  addr: string;
  port: number;
}

export const AT_FDCWD = -100;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

/** "tcp", "udp", "unix", or "af<N>" from socket(2)'s domain and type. */
export function socketProto(domain: number, type: number): string {
  if (domain === AF_UNIX) return 'unix';
  if (domain === AF_INET || domain === AF_INET6) {
    const t = type & 0xf; // SOCK_NONBLOCK / SOCK_CLOEXEC live in the high bits
    return t === 1 ? 'tcp' : t === 2 ? 'udp' : `inet-${t}`;
  }
  return `af${domain}`;
}

/** An endpoint from a decoded sockaddr, or undefined for one that names no peer (AF_UNSPEC, bad). */
export function endpointOf(sa: SockAddr | undefined): Endpoint | undefined {
  if (!sa) return undefined;
  if (sa.family === 'inet' || sa.family === 'inet6') return { addr: sa.address, port: sa.port };
  if (sa.family === 'unix') return { addr: sa.path, port: 0 };
  return undefined;
}

export class FdTable {
  private readonly fds: Map<number, FdTarget>;

  constructor(from?: FdTable) {
    this.fds = new Map(from ? from.fds : []);
  }

  get(fd: number): FdTarget | undefined {
    return this.fds.get(fd);
  }

  set(fd: number, target: FdTarget): void {
    if (fd >= 0) this.fds.set(fd, target);
  }

  close(fd: number): void {
    this.fds.delete(fd);
  }

  dup(oldFd: number, newFd: number): void {
    const t = this.fds.get(oldFd);
    if (t) this.fds.set(newFd, t);
    else this.fds.delete(newFd); // the new fd now names something we never saw opened
  }

  /** A copy for a forked child (fds are inherited). */
  fork(): FdTable {
    return new FdTable(this);
  }

  /**
   * An absolute path for `p` given relative to `dirfd`, as the process would resolve it; relative
   * when the base is unknown (the agent does not follow chdir).
   */
  resolve(dirfd: number, p: string, cwd: string | undefined): string {
    if (p === '') {
      const t = this.fds.get(dirfd); // fchmod, AT_EMPTY_PATH: the fd itself
      return t?.kind === 'file' ? t.path : '';
    }
    if (p.startsWith('/')) return path.posix.normalize(p);
    let base: string | undefined;
    if (dirfd === AT_FDCWD) base = cwd;
    else {
      const t = this.fds.get(dirfd);
      if (t?.kind === 'file') base = t.path;
    }
    return base ? path.posix.join(base, p) : p;
  }
}
