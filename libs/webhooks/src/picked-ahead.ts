import type { Claim, ClaimedDelivery, ClaimedEndpoint } from './delivery-claim.repository';
import { DELIVERY_LIMITS } from './endpoint-control.service';

/** An endpoint's deliveries picked ahead, with what the claim that picked them said about the endpoint. */
interface EndpointQueue {
  endpoint: ClaimedEndpoint;
  maxInFlight: number;
  deliveries: ClaimedDelivery[];
}

/**
 * Per endpoint, the deliveries a worker picked ahead (pickAhead in claim-policy) and has not sent yet, in the order
 * picked. They are held like sent ones (leased, never picked again); dropping them only forgets them here: they are
 * still pending in PostgreSQL for the next claim.
 */
export class PickedAhead {
  private readonly byEndpoint = new Map<string, EndpointQueue>();

  /** The claim's deliveries join the endpoint's queue, after those picked before them. */
  add(claim: Claim): void {
    if (claim.deliveries.length === 0) return;
    const q = this.byEndpoint.get(claim.endpointId);
    if (!q) {
      this.byEndpoint.set(claim.endpointId, { endpoint: claim.endpoint!, maxInFlight: claim.maxInFlight, deliveries: [...claim.deliveries] });
      return;
    }
    // The latest claim's view of the endpoint (a rotated secret, a new URL, a new cap).
    q.endpoint = claim.endpoint!;
    q.maxInFlight = claim.maxInFlight;
    q.deliveries.push(...claim.deliveries);
  }

  /** Hands the endpoint's queued deliveries to `start`, in order, while `mayStart(its max_in_flight)` allows. */
  startWhile(endpointId: string, mayStart: (maxInFlight: number) => boolean, start: (endpoint: ClaimedEndpoint, delivery: ClaimedDelivery) => void): void {
    const q = this.byEndpoint.get(endpointId);
    if (!q) return;
    while (q.deliveries.length > 0 && mayStart(q.maxInFlight)) start(q.endpoint, q.deliveries.shift()!);
    if (q.deliveries.length === 0) this.byEndpoint.delete(endpointId);
  }

  /** Half the queue is gone (or all of it): time for a claim to top it up. */
  wantsMore(endpointId: string): boolean {
    const q = this.byEndpoint.get(endpointId);
    return !q || q.deliveries.length * 2 < q.maxInFlight;
  }

  /**
   * About how many deliveries a claim would hand the endpoint now (its free slots and pick-ahead, as planClaim counts
   * them), given `busy` requests open there; for an endpoint with nothing queued here, its max_in_flight is not known
   * here: the default's. For the dispatcher to ask no more endpoints than a claim's room serves.
   */
  wants(endpointId: string, busy: number): number {
    const q = this.byEndpoint.get(endpointId);
    const max = q?.maxInFlight ?? DELIVERY_LIMITS.maxInFlight.default;
    return Math.max(1, max - busy + max - (q?.deliveries.length ?? 0));
  }

  ids(endpointId: string): string[] {
    return this.byEndpoint.get(endpointId)?.deliveries.map((d) => d.id) ?? [];
  }

  endpoints(): IterableIterator<string> {
    return this.byEndpoint.keys();
  }

  drop(endpointId: string): void {
    this.byEndpoint.delete(endpointId);
  }

  clear(): void {
    this.byEndpoint.clear();
  }
}
