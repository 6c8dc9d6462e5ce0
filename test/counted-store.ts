// A store whose every method call is counted by name: tests that check how many store calls a step
// makes (and that the count does not grow with history) wrap the real store in it.
import type { ProvenanceStore } from '../store/types';

export function countedStore(store: ProvenanceStore, calls: Map<string, number>): ProvenanceStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
