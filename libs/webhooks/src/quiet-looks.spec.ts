import { QuietLooks } from './quiet-looks';

describe('one more look at an endpoint after it went quiet', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('looks once, 40 ms after the latest ask: a send that ended or a record made just before moves the look, never sooner', () => {
    const looked: string[] = [];
    const looks = new QuietLooks(40, (id) => looked.push(id));
    looks.after('ep_a');
    jest.advanceTimersByTime(30);
    // ep_a's last attempts are recorded 30 ms after its send ended: a producer that saw them waiting commits later.
    looks.after('ep_a');
    looks.after('ep_b');
    jest.advanceTimersByTime(10);
    expect(looked).toEqual([]);
    jest.advanceTimersByTime(29);
    expect(looked).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(looked.sort()).toEqual(['ep_a', 'ep_b']);
    jest.advanceTimersByTime(1000);
    expect(looked).toHaveLength(2);
    // Forgotten once looked at: asked again, it is looked at again.
    looks.after('ep_a');
    jest.advanceTimersByTime(40);
    expect(looked).toEqual(['ep_a', 'ep_b', 'ep_a']);
  });

  it('looks at nothing once stopped (the worker is shutting down)', () => {
    const looked: string[] = [];
    const looks = new QuietLooks(40, (id) => looked.push(id));
    looks.after('ep_a');
    looks.stop();
    looks.after('ep_b');
    jest.advanceTimersByTime(1000);
    expect(looked).toEqual([]);
  });
});
