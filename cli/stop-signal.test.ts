import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { untilStopSignal } from './stop-signal';

describe('untilStopSignal', () => {
  it.each<[NodeJS.Signals]>([['SIGINT'], ['SIGTERM']])('resolves on %s, says so once, and stops listening', async (signal) => {
    const source = new EventEmitter();
    const heard: string[] = [];
    const stopped = untilStopSignal((s) => heard.push(s), source);
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(2);
    source.emit(signal, signal);
    source.emit('SIGINT', 'SIGINT'); // a second Ctrl-C is no longer ours to handle
    await expect(stopped).resolves.toBe(signal);
    expect(heard).toEqual([signal]);
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
