/** Leadership as controllers need it: `isLeader` is a probe, not an event source. */

const LEADERSHIP_POLL_MS = 1_000;

/**
 * Tells a controller when to catch up with work it skipped while it did not lead. Controllers ignore
 * the change feed while another replica (or nobody) leads, and the server starts them before its
 * first election result. `onCatchUp` is called (checked every `intervalMs`) once this process leads
 * after it was seen not leading, or after the controller reported skipping work with `skipped()`
 * (which also covers a leadership lost and regained between two checks).
 */
export class LeadershipWatch {
  #missed: boolean;
  readonly #timer: NodeJS.Timeout;

  constructor(isLeader: () => boolean, onCatchUp: () => void, intervalMs = LEADERSHIP_POLL_MS) {
    this.#missed = !isLeader();
    this.#timer = setInterval(() => {
      if (!isLeader()) this.#missed = true;
      else if (this.#missed) {
        this.#missed = false;
        onCatchUp();
      }
    }, intervalMs);
    this.#timer.unref();
  }

  /** Records that work was skipped for want of leadership. */
  skipped(): void {
    this.#missed = true;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
