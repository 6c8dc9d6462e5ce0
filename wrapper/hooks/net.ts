// Records sockets: connect (remote address and port), listen, accept, and at close (or at
// the activation's end, for sockets still open) the bytes sent and received since the last
// report. A keep-alive socket reused by a later activation stays with the activation that
// opened it; the later activation's HTTP records name the peer.

import net = require('node:net');
import { currentActivation, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';

type AnyFn = (...args: any[]) => any;

function protoOf(socket: net.Socket): 'tcp' | 'unix' {
  return typeof socket.remotePort === 'number' || socket.remoteFamily ? 'tcp' : 'unix';
}

/** Where connect() was asked to go, from its many call forms. */
export function connectTarget(args: unknown[]): { addr: string; port: number; proto: 'tcp' | 'unix' } | undefined {
  let first = args[0];
  // net.connect normalises to [options, cb] and marks it; Socket#connect may get either form.
  if (Array.isArray(first)) first = first[0];
  if (first && typeof first === 'object') {
    const o = first as { path?: unknown; port?: unknown; host?: unknown };
    if (typeof o.path === 'string') return { addr: o.path, port: 0, proto: 'unix' };
    const port = Number(o.port);
    if (Number.isInteger(port)) return { addr: typeof o.host === 'string' ? o.host : 'localhost', port, proto: 'tcp' };
    return undefined;
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { addr: first, port: 0, proto: 'unix' };
  const port = Number(first);
  if (Number.isInteger(port)) return { addr: typeof args[1] === 'string' ? args[1] : 'localhost', port, proto: 'tcp' };
  return undefined;
}

const TRACKED = Symbol('serverless-provenance.socket');

interface SocketReport {
  ctx: ActivationContext;
  addr: string;
  port: number;
  proto: 'tcp' | 'unix';
  sent: number;
  received: number;
  finisher: () => void;
}

/** Reports bytes moved since the last report (send/recv records). */
function reportBytes(socket: net.Socket, report: SocketReport): void {
  const sent = socket.bytesWritten - report.sent;
  const received = socket.bytesRead - report.received;
  report.sent = socket.bytesWritten;
  report.received = socket.bytesRead;
  if (sent > 0) emitRecord(report.ctx, 'net', { op: 'send', addr: report.addr, port: report.port, proto: report.proto, n: sent });
  if (received > 0) emitRecord(report.ctx, 'net', { op: 'recv', addr: report.addr, port: report.port, proto: report.proto, n: received });
}

/** Follows one socket for its activation: bytes at close, or at the activation's end. */
function track(socket: net.Socket, ctx: ActivationContext, addr: string, port: number, proto: 'tcp' | 'unix'): void {
  if ((socket as unknown as Record<symbol, unknown>)[TRACKED]) return;
  const report: SocketReport = { ctx, addr, port, proto, sent: 0, received: 0, finisher: () => reportBytes(socket, report) };
  (socket as unknown as Record<symbol, unknown>)[TRACKED] = report;
  ctx.finishers.add(report.finisher);
  socket.once('close', () =>
    safely('net close', () => {
      if (!ctx.finishers.delete(report.finisher)) return; // the activation has already ended and reported
      reportBytes(socket, report);
      emitRecord(ctx, 'net', { op: 'close', addr, port, proto });
    }),
  );
}

function patchConnect(): void {
  patchMethod(net.Socket.prototype, 'connect', (original: AnyFn) =>
    function (this: net.Socket, ...args: unknown[]) {
      const ctx = currentActivation();
      if (!ctx) return original.apply(this, args);
      const socket = this;
      safely('net connect', () => {
        const target = connectTarget(args);
        if (!target || (socket as unknown as Record<symbol, unknown>)[TRACKED]) return;
        socket.once('connect', () =>
          safely('net connected', () => {
            const addr = socket.remoteAddress ?? target.addr;
            const port = socket.remotePort ?? target.port;
            const proto = target.proto === 'unix' ? 'unix' : protoOf(socket);
            emitRecord(ctx, 'net', { op: 'connect', addr, port, proto });
            track(socket, ctx, addr, port, proto);
          }),
        );
      });
      return original.apply(this, args);
    },
  );
}

function patchListen(): void {
  patchMethod(net.Server.prototype, 'listen', (original: AnyFn) =>
    function (this: net.Server, ...args: unknown[]) {
      const ctx = currentActivation();
      if (!ctx) return original.apply(this, args);
      const server = this;
      safely('net listen', () => {
        server.once('listening', () =>
          safely('net listening', () => {
            const address = server.address();
            if (address && typeof address === 'object') emitRecord(ctx, 'net', { op: 'listen', addr: address.address, port: address.port, proto: 'tcp' });
            else if (typeof address === 'string') emitRecord(ctx, 'net', { op: 'listen', addr: address, port: 0, proto: 'unix' });
          }),
        );
        // Accepted connections belong to the activation that listens, while it runs.
        server.on('connection', (socket: net.Socket) =>
          safely('net accept', () => {
            if (ctx.ended) return;
            const addr = socket.remoteAddress ?? 'unknown';
            const port = socket.remotePort ?? 0;
            const proto = protoOf(socket);
            emitRecord(ctx, 'net', { op: 'accept', addr, port, proto });
            track(socket, ctx, addr, port, proto);
          }),
        );
      });
      return original.apply(this, args);
    },
  );
}

export function installNetHooks(): void {
  patchConnect();
  patchListen();
}
