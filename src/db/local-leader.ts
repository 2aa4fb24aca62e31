/**
 * Leader election for a store only one process can open (SQLite): the process is the leader at
 * once, for every name, until it stops campaigning.
 */
import type { LeaderElector } from './store.js';

export function createLocalLeaderElector(): LeaderElector {
  return {
    campaign(_name, onChange) {
      let stopped = false;
      let leading = false;
      // Reported on a microtask so that the caller holds `stop` before `onChange` runs.
      queueMicrotask(() => {
        if (stopped) return;
        leading = true;
        onChange(true);
      });
      return () => {
        if (!stopped) {
          stopped = true;
          if (leading) onChange(false);
        }
        return Promise.resolve();
      };
    },
  };
}
