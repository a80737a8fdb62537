/**
 * One more look at an endpoint `afterMs` after it last went quiet here (its last send ended, or its last attempts
 * were recorded), for the deliveries whose announcement a producer skipped meanwhile (see DeliveryDispatcher's
 * LINGER_MS). Asked again before the look, the look moves: it comes `afterMs` after the latest ask, never sooner, so
 * an endpoint that was busy a moment ago is looked at after its own quiet spell, not after an older one's. At most
 * one timer per endpoint; an endpoint is forgotten once looked at.
 */
export class QuietLooks {
  /** Per endpoint with a look to come: when it is due (ms since the epoch). */
  private readonly due = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly afterMs: number,
    private readonly look: (endpointId: string) => void,
  ) {}

  after(endpointId: string): void {
    if (this.stopped) return;
    const armed = this.due.has(endpointId);
    this.due.set(endpointId, Date.now() + this.afterMs);
    if (!armed) this.arm(endpointId, this.afterMs);
  }

  /** No look comes after this, whatever was asked. */
  stop(): void {
    this.stopped = true;
    this.due.clear();
  }

  private arm(endpointId: string, ms: number): void {
    setTimeout(() => {
      const due = this.due.get(endpointId);
      if (due === undefined) return;
      const left = due - Date.now();
      if (left > 0) return this.arm(endpointId, left);
      this.due.delete(endpointId);
      this.look(endpointId);
    }, ms).unref();
  }
}
