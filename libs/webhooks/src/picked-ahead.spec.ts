import type { Claim, ClaimedDelivery, ClaimedEndpoint } from './delivery-claim.repository';
import { PickedAhead } from './picked-ahead';

const endpoint = (url: string) => ({ id: 'end_1', url }) as ClaimedEndpoint;
const delivery = (id: string) => ({ id }) as ClaimedDelivery;
const claim = (ids: string[], url = 'https://a.example/hook', maxInFlight = 4): Claim =>
  ({ endpointId: 'end_1', endpoint: endpoint(url), deliveries: ids.map(delivery), wakeAt: null, maxInFlight, mayPickAhead: true, roomRanOut: false });

describe('deliveries picked ahead', () => {
  it('starts them in the order picked, across claims, while slots allow, with the latest view of the endpoint', () => {
    const queue = new PickedAhead();
    queue.add(claim(['d1', 'd2', 'd3']));
    queue.add(claim(['d4'], 'https://b.example/hook', 2));
    const started: string[] = [];
    queue.startWhile('end_1', (max) => started.length < max, (ep, d) => started.push(`${d.id}@${ep.url}`));
    expect(started).toEqual(['d1@https://b.example/hook', 'd2@https://b.example/hook']);
    expect(queue.ids('end_1')).toEqual(['d3', 'd4']);
    // Half the cap (2) or more waiting: no claim yet; less: a claim tops it up.
    expect(queue.wantsMore('end_1')).toBe(false);
    queue.startWhile('end_1', () => started.length < 3, (_ep, d) => started.push(d.id));
    expect(queue.wantsMore('end_1')).toBe(false);
    queue.add(claim(['d5'], 'https://b.example/hook', 4));
    expect(queue.wantsMore('end_1')).toBe(false);
    queue.startWhile('end_1', () => started.length < 4, (_ep, d) => started.push(d.id));
    expect(started.slice(2)).toEqual(['d3', 'd4']);
    expect(queue.wantsMore('end_1')).toBe(true);
  });

  it('forgets an endpoint once its queue is empty or dropped, and wants a claim for it then', () => {
    const queue = new PickedAhead();
    queue.add(claim(['d1']));
    queue.startWhile('end_1', () => true, () => undefined);
    expect([...queue.endpoints()]).toEqual([]);
    queue.add(claim(['d2', 'd3']));
    queue.drop('end_1');
    expect(queue.ids('end_1')).toEqual([]);
    expect(queue.wantsMore('end_1')).toBe(true);
  });

  it('tells how many deliveries a claim would hand the endpoint: free slots and pick-ahead, the default cap when none is known', () => {
    const queue = new PickedAhead();
    // Nothing queued here: max_in_flight unknown, the default (10) is assumed: 10 free slots less the busy ones, 10 ahead.
    expect(queue.wants('end_1', 0)).toBe(20);
    expect(queue.wants('end_1', 3)).toBe(17);
    // Three queued at a cap of 4, two requests open: 2 free slots, 1 more may be picked ahead.
    queue.add(claim(['d1', 'd2', 'd3']));
    expect(queue.wants('end_1', 2)).toBe(3);
    // Never less than one: an endpoint asked is worth a row of the claim.
    expect(queue.wants('end_1', 4)).toBe(1);
  });
});
