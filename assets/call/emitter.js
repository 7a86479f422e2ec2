// A small typed event emitter for the call's plain classes (relay client, recorder, player).
//
// Each class documents its events (name → payload) in a JSDoc block; listeners get the
// payload object itself. `on` returns the function that removes the listener, so React
// effects can return it as their cleanup. A listener that throws is reported and does not
// stop the others (one broken observer, e.g. the debug record, must not break the call).

export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /** Listen to `type`; returns the unsubscribe function. */
  on(type, fn) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) {
    const set = this._listeners.get(type);
    if (set) set.delete(fn);
  }

  emit(type, payload = {}) {
    const set = this._listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (err) {
        console.error(`listener for "${type}" failed`, err);
      }
    }
  }

  /** Forget every listener (the object is finished). */
  clear() {
    this._listeners.clear();
  }
}
