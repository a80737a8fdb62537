/**
 * What this worker process has sent to each endpoint and not recorded yet: the dispatcher's account of its own
 * requests. The claim reads it (held deliveries are never picked again; answered ones free their slots, see
 * planClaim), the heartbeat renews the leases of the endpoints it names, and the short poll leaves to memory the
 * endpoints with sends open (pumping those quiet for a while). Nothing here is in PostgreSQL until the attempt is recorded.
 */
export class EndpointSends {
  /** Per endpoint, deliveries sent and not recorded yet. */
  private readonly unrecorded = new Map<string, Set<string>>();
  /** Per endpoint, those of them answered 2xx: their slots are free again before the record. */
  private readonly answered = new Map<string, Set<string>>();
  /** Per endpoint, those of them that failed (no 2xx): they keep their slots until recorded. */
  private readonly failed = new Map<string, Set<string>>();
  /** Per endpoint, sends not finished yet. */
  private readonly open = new Map<string, number>();
  /** Per endpoint with sends open, when one last started or ended (ms since the epoch). */
  private readonly lastEvent = new Map<string, number>();

  started(endpointId: string, deliveryId: string): void {
    this.open.set(endpointId, (this.open.get(endpointId) ?? 0) + 1);
    this.lastEvent.set(endpointId, Date.now());
    if (!this.unrecorded.has(endpointId)) this.unrecorded.set(endpointId, new Set());
    this.unrecorded.get(endpointId)!.add(deliveryId);
  }

  /** A 2xx: the slot is free now, the record catches up. */
  answered2xx(endpointId: string, deliveryId: string): void {
    if (!this.answered.has(endpointId)) this.answered.set(endpointId, new Set());
    this.answered.get(endpointId)!.add(deliveryId);
  }

  /** Not a 2xx (an error status, a timeout, a refused connection): the slot stays taken until the record. */
  failedAttempt(endpointId: string, deliveryId: string): void {
    if (!this.failed.has(endpointId)) this.failed.set(endpointId, new Set());
    this.failed.get(endpointId)!.add(deliveryId);
  }

  /** A send finished (answered, failed or crashed); true when it was the endpoint's last one open. */
  ended(endpointId: string): boolean {
    const left = this.open.get(endpointId)! - 1;
    if (left > 0) {
      this.open.set(endpointId, left);
      this.lastEvent.set(endpointId, Date.now());
      return false;
    }
    this.open.delete(endpointId);
    this.lastEvent.delete(endpointId);
    return true;
  }

  /** Recorded (or given up on): no longer held here. */
  forget(endpointId: string, deliveryId: string): void {
    for (const map of [this.unrecorded, this.answered, this.failed]) {
      const ids = map.get(endpointId);
      ids?.delete(deliveryId);
      if (ids?.size === 0) map.delete(endpointId);
    }
  }

  /** The endpoint's deliveries sent and not recorded: never picked again meanwhile. */
  held(endpointId: string): string[] {
    return [...(this.unrecorded.get(endpointId) ?? [])];
  }

  answeredCount(endpointId: string): number {
    return this.answered.get(endpointId)?.size ?? 0;
  }

  /** Requests that still hold one of the endpoint's slots: open, or failed and not recorded (as the claim counts them). */
  busy(endpointId: string): number {
    return (this.unrecorded.get(endpointId)?.size ?? 0) - this.answeredCount(endpointId);
  }

  /** Answers that were not a 2xx and are not recorded yet: failures the endpoint's circuit has not counted. */
  failedUnrecorded(endpointId: string): number {
    return this.failed.get(endpointId)?.size ?? 0;
  }

  isOpen(endpointId: string): boolean {
    return this.open.has(endpointId);
  }

  /** Endpoints with sends open here. */
  openEndpoints(): string[] {
    return [...this.open.keys()];
  }

  /** Endpoints with sends open here where none started or ended since `since`: a partner slow to answer, or hanging. */
  quietSince(since: number): string[] {
    const quiet: string[] = [];
    for (const [endpointId, at] of this.lastEvent) if (at < since) quiet.push(endpointId);
    return quiet;
  }

  /** Per endpoint this process owes an outcome to, how many unrecorded sends (0 for one with sends open only). */
  owed(): Map<string, number> {
    const owed = new Map<string, number>();
    for (const [endpointId, ids] of this.unrecorded) owed.set(endpointId, ids.size);
    for (const endpointId of this.open.keys()) if (!owed.has(endpointId)) owed.set(endpointId, 0);
    return owed;
  }

  get anyUnrecorded(): boolean {
    return this.unrecorded.size > 0;
  }
}
