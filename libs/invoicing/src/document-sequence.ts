import { fiscalYearOf } from './invoice-number';

export type DocumentSeries = 'invoice' | 'credit_note';

/** A number taken in a partner's series (see DocumentIssueRepository, which takes it). */
export interface SeriesSlot {
  fiscalYear: number;
  sequence: number;
  /** Read after the series row lock is held, from PostgreSQL's clock: numbers and dates rise together. */
  issuedAt: Date;
}

/** The slot taken, once checked that the year did not turn while the lock was awaited. */
export function slotOf(series: DocumentSeries, fiscalYear: number, sequence: number, issuedAtValue: Date | string): SeriesSlot {
  const issuedAt = new Date(issuedAtValue);
  if (fiscalYearOf(issuedAt) !== fiscalYear) {
    // The year turned while we waited for the lock: retrying takes a number in the new year's series.
    throw new Error(`The fiscal year turned while numbering a ${series}; retry`);
  }
  return { fiscalYear, sequence, issuedAt };
}
