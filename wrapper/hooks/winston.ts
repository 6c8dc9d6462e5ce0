// Adds `reqId` and `activationId` to every winston info object written inside an activation.
// Every way of logging (logger.info, logger.log, child loggers, the default logger) ends in
// Logger#write with the info object, synchronously, in the caller's async context; fields are
// added there, before the logger's format runs, so json/simple/printf formats all see them.
// Patched at winston/lib/winston/logger.js, whichever copy the action loads.

import { currentActivation, safely } from '../context';
import { patchMethod } from '../patcher';
import { registerModulePatcher } from './module-load';

type AnyFn = (...args: any[]) => any;

function patchLogger(exports: unknown): void {
  if (typeof exports !== 'function' || !exports.prototype) return;
  patchMethod(exports.prototype as object, 'write', (original: AnyFn) =>
    function (this: unknown, info: unknown, ...rest: unknown[]) {
      const ctx = currentActivation();
      if (ctx && info && typeof info === 'object' && !ArrayBuffer.isView(info)) {
        safely('winston write', () => {
          const fields = info as Record<string, unknown>;
          // A caller's own reqId/activationId is left alone.
          if (fields.reqId === undefined) fields.reqId = ctx.r;
          if (fields.activationId === undefined) fields.activationId = ctx.a;
        });
      }
      return original.call(this, info, ...rest);
    },
  );
}

export function registerWinstonPatcher(): void {
  registerModulePatcher({ name: 'winston', filename: /\/winston\/lib\/winston\/logger\.js$/, patch: patchLogger });
}
