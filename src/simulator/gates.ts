import type { ServerResponse } from 'node:http';

/**
 * Named gates that hold requests before their first byte until a test releases them (the
 * `x-sim-hold-gate` header names one). A test that needs every admitted call of a burst to be
 * still in flight while the others are decided closes a gate, fires the burst, waits until each
 * call has either reached the simulator or been answered, and releases: progress decides, not a
 * clock that a loaded machine could outrun.
 */
export interface Gate {
  /** Requests waiting at this gate now. */
  readonly waiting: number;
  /** Lets every waiting request (and any later one naming this gate) through. */
  release(): void;
}

interface GateState {
  released: boolean;
  waiters: Set<() => void>;
}

export class Gates {
  private readonly gates = new Map<string, GateState>();

  /** Closes the gate `name` (a new one, or one released before) and returns its handle. */
  close(name: string): Gate {
    const state: GateState = { released: false, waiters: new Set() };
    this.gates.get(name)?.waiters.forEach((wake) => wake());
    this.gates.set(name, state);
    return {
      get waiting() {
        return state.waiters.size;
      },
      release: () => {
        state.released = true;
        for (const wake of state.waiters) wake();
        state.waiters.clear();
      },
    };
  }

  /**
   * Resolves true once the gate is open (at once for a gate never closed or already released),
   * or false as soon as the response closes (the client gave up).
   */
  pass(name: string, res: ServerResponse): Promise<boolean> {
    const state = this.gates.get(name);
    if (res.destroyed) return Promise.resolve(false);
    if (!state || state.released) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        res.off('close', onClose);
        state.waiters.delete(wake);
        resolve(!res.destroyed);
      };
      const onClose = (): void => {
        state.waiters.delete(wake);
        resolve(false);
      };
      state.waiters.add(wake);
      res.once('close', onClose);
    });
  }
}
