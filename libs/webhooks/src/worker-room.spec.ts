import { WorkerRoom } from './worker-room';

describe("a worker's room under its cap, and the endpoints waiting for it", () => {
  it('asks no more endpoints than a claim of the room serves; the others wait for room, in order', () => {
    const room = new WorkerRoom(500);
    const wanted = new Set(['ep_a', 'ep_b', 'ep_c', 'ep_d', 'ep_e']);
    // Each would take about 20 (10 slots, 10 ahead); ep_b is in a running claim: it stays wanted, for the next one.
    const ids = room.takeForClaim(wanted, new Set(['ep_b']), 45, () => 20);
    expect(ids).toEqual(['ep_a', 'ep_c', 'ep_d']);
    expect([...wanted]).toEqual(['ep_b']);
    expect(room.anyWaitingForRoom).toBe(true);
    // No room at all: still one endpoint asked (the claim makes it wait, see DeliveryDispatcher.claimFor).
    expect(room.takeForClaim(new Set(['ep_f', 'ep_g']), new Set(), 0, () => 20)).toEqual(['ep_f']);

    // A send ends with 49 free: under a claim's worth (a tenth of 500), nobody is asked; with 50, the oldest first.
    const asked: string[] = [];
    room.serve(() => 451, () => undefined, (id) => asked.push(id));
    expect(asked).toEqual([]);
    room.serve(() => 450, () => undefined, (id) => (asked.push(id), room.asked(id)));
    expect(asked).toEqual(['ep_e', 'ep_g']);
    expect(room.anyWaitingForRoom).toBe(false);
  });

  it('hands a freed slot to deliveries picked ahead first, and serves the waiting with any room on the tick', () => {
    const room = new WorkerRoom(30);
    expect(room.minClaimRoom).toBe(3);
    let inFlight = 30;
    room.waitForSlot('ep_q');
    room.waitForSlot('ep_r');
    room.waitForRoom('ep_w');
    const drained: string[] = [];
    const asked: string[] = [];
    // One slot free: ep_q's next queued delivery takes it; ep_r waits on, and 0 free is no room for ep_w.
    inFlight = 29;
    room.serve(() => inFlight, (id) => (drained.push(id), inFlight++), (id) => asked.push(id));
    expect(drained).toEqual(['ep_q']);
    expect(asked).toEqual([]);
    // Two free (hanging sends hold the rest): under minClaimRoom after ep_r's drain, so only the tick (any room) asks ep_w.
    inFlight = 28;
    room.serve(() => inFlight, (id) => (drained.push(id), inFlight++), (id) => asked.push(id));
    expect(drained).toEqual(['ep_q', 'ep_r']);
    expect(asked).toEqual([]);
    room.serve(() => inFlight, (id) => drained.push(id), (id) => asked.push(id), 1);
    expect(asked).toEqual(['ep_w']);
  });
});
