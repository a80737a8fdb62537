import { BatchNumbering } from './inbox-batch.util';

describe('BatchNumbering', () => {
  it('issues every deferred invoice of the batch at flush, none before', async () => {
    const numbering = new BatchNumbering();
    const issued: string[] = [];
    for (const order of ['ord_1', 'ord_2', 'ord_3']) numbering.defer(async () => void issued.push(order));
    expect(issued).toEqual([]);
    await numbering.flush();
    expect(issued.sort()).toEqual(['ord_1', 'ord_2', 'ord_3']);
    // A second flush (a refund later in the batch) does not issue them again.
    await numbering.flush();
    expect(issued).toHaveLength(3);
  });

  it('fails the batch with the first failure, once every issuance has finished', async () => {
    const numbering = new BatchNumbering();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let slowDone = false;
    numbering.defer(async () => {
      throw new Error('lines total 100 but 90 was charged');
    });
    numbering.defer(async () => {
      await slow;
      slowDone = true;
    });
    const flushed = numbering.flush().then(() => 'committed', (err: Error) => err.message);
    setImmediate(release);
    expect(await flushed).toBe('lines total 100 but 90 was charged');
    // The transaction rolls back only after the other statement ended: nothing still runs on its connection.
    expect(slowDone).toBe(true);
  });
});
