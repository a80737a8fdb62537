import { EndpointSends } from './endpoint-sends';

describe('EndpointSends (what a worker sent and has not recorded)', () => {
  it('a 2xx frees its slot before the record; a failure holds it until recorded', () => {
    const sent = new EndpointSends();
    sent.started('ep_a', 'dlv_1');
    sent.started('ep_a', 'dlv_2');
    expect(sent.busy('ep_a')).toBe(2);
    sent.answered2xx('ep_a', 'dlv_1');
    expect(sent.busy('ep_a')).toBe(1);
    expect(sent.answeredCount('ep_a')).toBe(1);
    // Both still held: neither may be picked again before its record.
    expect(sent.held('ep_a').sort()).toEqual(['dlv_1', 'dlv_2']);
    sent.forget('ep_a', 'dlv_1');
    sent.forget('ep_a', 'dlv_2');
    expect(sent.held('ep_a')).toEqual([]);
    expect(sent.busy('ep_a')).toBe(0);
    expect(sent.anyUnrecorded).toBe(false);
  });

  it('says when the last open send to an endpoint ends, and owes outcomes for recorded-pending and open sends alike', () => {
    const sent = new EndpointSends();
    sent.started('ep_a', 'dlv_1');
    sent.started('ep_a', 'dlv_2');
    sent.started('ep_b', 'dlv_3');
    // ep_b's send crashed: forgotten before it ended, yet still open until then (its lease must be kept).
    sent.forget('ep_b', 'dlv_3');
    expect(sent.owed()).toEqual(new Map([['ep_a', 2], ['ep_b', 0]]));
    expect(sent.ended('ep_a')).toBe(false);
    expect(sent.isOpen('ep_a')).toBe(true);
    expect(sent.lastEventAt('ep_a')).toEqual(expect.any(Number));
    expect(sent.ended('ep_a')).toBe(true);
    expect(sent.isOpen('ep_a')).toBe(false);
    expect(sent.lastEventAt('ep_a')).toBeUndefined();
    expect(sent.ended('ep_b')).toBe(true);
    // Ended but not recorded: still owed.
    expect(sent.owed()).toEqual(new Map([['ep_a', 2]]));
  });

  it('names the endpoints with a send that started or ended lately, for the short poll to leave out', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const sent = new EndpointSends();
      sent.started('ep_a', 'dlv_1');
      sent.started('ep_b', 'dlv_2');
      jest.setSystemTime(1_000_150);
      sent.started('ep_b', 'dlv_3');
      expect(sent.activeSince(1_000_050)).toEqual(['ep_b']);
      // Ended for good: no longer sending there, so the poll may look at it again.
      sent.ended('ep_b');
      sent.ended('ep_b');
      expect(sent.activeSince(1_000_050)).toEqual([]);
      expect(sent.activeSince(0)).toEqual(['ep_a']);
    } finally {
      jest.useRealTimers();
    }
  });
});
