import type { InboxEvent, StripeEventRepository } from '@app/stripe';
import { InboxWriter } from './inbox-writer';

function event(n: number): InboxEvent {
  return { id: `evt_${n}`, type: 'checkout.session.completed', livemode: false, json: `{"id":"evt_${n}"}` };
}

function setup() {
  const inbox = {
    insertNew: jest.fn(async (events: readonly InboxEvent[]) => new Set(events.map((e) => e.id))),
    notifyWorker: jest.fn(async () => undefined),
  };
  const sut = new InboxWriter(inbox as unknown as StripeEventRepository);
  return { sut, inbox };
}

describe('InboxWriter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('answers each request after its insert, stored once and duplicate after', async () => {
    const { sut, inbox } = setup();
    await expect(sut.accept(event(1))).resolves.toBe('stored');
    inbox.insertNew.mockResolvedValueOnce(new Set());
    await expect(sut.accept(event(1))).resolves.toBe('duplicate');
  });

  it('writes the requests that arrive during an insert together, in the next one', async () => {
    const { sut, inbox } = setup();
    let commit!: () => void;
    inbox.insertNew.mockImplementationOnce((events) => new Promise((resolve) => (commit = () => resolve(new Set(events.map((e) => e.id))))));
    const first = sut.accept(event(1));
    const waiting = [sut.accept(event(2)), sut.accept(event(3)), sut.accept(event(2))];
    expect(inbox.insertNew).toHaveBeenCalledTimes(1);
    commit();
    await expect(first).resolves.toBe('stored');
    await expect(Promise.all(waiting)).resolves.toEqual(['stored', 'stored', 'duplicate']);
    expect(inbox.insertNew).toHaveBeenCalledTimes(2);
    expect(inbox.insertNew.mock.calls[1][0].map((e) => e.id)).toEqual(['evt_2', 'evt_3']);
  });

  it('tells the worker at once of a first commit, then at most once per interval for the commits meanwhile', async () => {
    const { sut, inbox } = setup();
    await sut.accept(event(1));
    await jest.advanceTimersByTimeAsync(0);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(1);

    // Three more group commits within the interval: one notification, owed until the interval is over.
    await sut.accept(event(2));
    await sut.accept(event(3));
    await sut.accept(event(4));
    await jest.advanceTimersByTimeAsync(0);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(10);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(2);

    // Nothing committed since: no notification.
    await jest.advanceTimersByTimeAsync(100);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(2);

    // A commit long after the last notification is announced at once again.
    await sut.accept(event(5));
    await jest.advanceTimersByTimeAsync(0);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(3);
  });

  it('does not tell the worker of a commit that stored nothing new', async () => {
    const { sut, inbox } = setup();
    inbox.insertNew.mockResolvedValueOnce(new Set());
    await sut.accept(event(1));
    await jest.advanceTimersByTimeAsync(100);
    expect(inbox.notifyWorker).not.toHaveBeenCalled();
  });

  it('keeps announcing after a notification fails (the rows are committed; the worker polls too)', async () => {
    const { sut, inbox } = setup();
    inbox.notifyWorker.mockRejectedValueOnce(new Error('connection reset'));
    await sut.accept(event(1));
    await jest.advanceTimersByTimeAsync(0);
    await sut.accept(event(2));
    await jest.advanceTimersByTimeAsync(10);
    expect(inbox.notifyWorker).toHaveBeenCalledTimes(2);
  });
});
