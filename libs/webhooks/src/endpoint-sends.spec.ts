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
    // dlv_2 fails: a failure the circuit has not counted until it is recorded.
    expect(sent.failedUnrecorded('ep_a')).toBe(0);
    sent.failedAttempt('ep_a', 'dlv_2');
    expect(sent.failedUnrecorded('ep_a')).toBe(1);
    expect(sent.busy('ep_a')).toBe(1);
    sent.forget('ep_a', 'dlv_1');
    sent.forget('ep_a', 'dlv_2');
    expect(sent.failedUnrecorded('ep_a')).toBe(0);
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
    expect(sent.ended('ep_a')).toBe(true);
    expect(sent.isOpen('ep_a')).toBe(false);
    expect(sent.ended('ep_b')).toBe(true);
    // Ended but not recorded: still owed.
    expect(sent.owed()).toEqual(new Map([['ep_a', 2]]));
  });

  it('names the endpoints with sends open, and those of them quiet since a time, for the short poll', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const sent = new EndpointSends();
      sent.started('ep_a', 'dlv_1');
      sent.started('ep_b', 'dlv_2');
      jest.setSystemTime(1_000_150);
      sent.started('ep_b', 'dlv_3');
      expect(sent.openEndpoints()).toEqual(['ep_a', 'ep_b']);
      // ep_a's one send started 150 ms ago and nothing since: quiet; ep_b just started another.
      expect(sent.quietSince(1_000_050)).toEqual(['ep_a']);
      // Ended for good: no longer open, nor quiet.
      sent.ended('ep_b');
      sent.ended('ep_b');
      expect(sent.openEndpoints()).toEqual(['ep_a']);
      expect(sent.quietSince(2_000_000)).toEqual(['ep_a']);
    } finally {
      jest.useRealTimers();
    }
  });
});
