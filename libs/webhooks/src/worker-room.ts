/**
 * The share of WEBHOOK_MAX_IN_FLIGHT_PER_WORKER that must be free before the endpoints waiting for room are claimed
 * for: one claim for a tenth of the cap rather than one per finished send. At 500, 50 sends, which end within ~15 ms
 * at 3,500 deliveries/s.
 */
const MIN_CLAIM_ROOM_SHARE = 0.1;

/**
 * A worker's room under its cap on sends in flight (WEBHOOK_MAX_IN_FLIGHT_PER_WORKER) and the endpoints waiting for it,
 * in the order they came:
 * - for a slot: endpoints with deliveries picked ahead, stopped at the cap; each send that ends starts the next of
 *   them (no claim needed);
 * - for room to be claimed for: the worker was at its cap, a claim's room ran out before them, or more endpoints were
 *   wanted than a claim's room serves. They are asked again once a tenth of the cap is free (minClaimRoom).
 *
 * Before (until 2026-12-05), an endpoint a claim's room did not reach was forgotten until the short poll found it: in
 * bench:delivery's drain over 200 endpoints, 14 of a claim's 17 endpoints came back empty (11 for want of room), and
 * the poll's walks over every endpoint (4-9 ms of PostgreSQL each) were what handed out the work; and every send that
 * ended at the cap pumped every endpoint left waiting, a claim (or a look at each of them) for a slot or two.
 */
export class WorkerRoom {
  private readonly forSlot = new Set<string>();
  private readonly forRoom = new Set<string>();
  /** The room (free sends under the cap) worth a claim for the endpoints waiting for room. */
  readonly minClaimRoom: number;

  constructor(readonly cap: number) {
    this.minClaimRoom = Math.max(1, Math.floor(cap * MIN_CLAIM_ROOM_SHARE));
  }

  /**
   * The endpoints a claim of `room` sends asks for, taken out of `wanted` in order (those `claiming` stay there, for
   * the next claim): no more than the room serves, by `wants` (about what a claim hands each, see PickedAhead.wants),
   * at least one. The pick hands the room out in the order asked, so the rows of those past it came back empty: they
   * wait for room instead.
   */
  takeForClaim(wanted: Set<string>, claiming: ReadonlySet<string>, room: number, wants: (endpointId: string) => number): string[] {
    const ids: string[] = [];
    let wanting = 0;
    for (const id of wanted) {
      if (claiming.has(id)) continue;
      wanted.delete(id);
      if (ids.length === 0 || wanting < room) {
        ids.push(id);
        wanting += wants(id);
      } else this.forRoom.add(id);
    }
    return ids;
  }

  waitForSlot(endpointId: string): void {
    this.forSlot.add(endpointId);
  }

  waitForRoom(endpointId: string): void {
    this.forRoom.add(endpointId);
  }

  /** The endpoint is being asked for (pumped): it no longer waits for room. */
  asked(endpointId: string): void {
    this.forRoom.delete(endpointId);
  }

  get anyWaitingForRoom(): boolean {
    return this.forRoom.size > 0;
  }

  /**
   * Hands out the room: first to deliveries already picked ahead (`drain`, which calls waitForSlot again if the cap is
   * met while its queue has more), then, if at least `minRoom` is free, to the endpoints waiting for room, oldest first
   * and no more than the room (`ask`: a pump, which calls `asked`). Called when a send ends, with minClaimRoom, and on
   * the short poll's tick with any room: sends that hang can keep the worker within minClaimRoom of its cap for as long
   * as they hang.
   */
  serve(inFlight: () => number, drain: (endpointId: string) => void, ask: (endpointId: string) => void, minRoom = this.minClaimRoom): void {
    for (const id of this.forSlot) {
      if (inFlight() >= this.cap) return;
      this.forSlot.delete(id);
      drain(id);
    }
    const room = this.cap - inFlight();
    if (this.forRoom.size === 0 || room < minRoom) return;
    let asked = 0;
    for (const id of this.forRoom) {
      if (asked++ >= room) break;
      ask(id);
    }
  }
}
