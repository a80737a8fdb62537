import type { Environment } from '@app/database';
import { fiscalYearOf } from './invoice-number';
import { managerOf, Tx } from '@app/database';

export type DocumentSeries = 'invoice' | 'credit_note';

export interface SeriesSlot {
  fiscalYear: number;
  sequence: number;
  /** Read after the series row lock is held, from PostgreSQL's clock: numbers and dates rise together. */
  issuedAt: Date;
}

/**
 * Takes the next number of a partner's series inside the caller's
 * transaction. The row lock taken by the increment is held until that
 * transaction ends, and a rollback gives the number back: no gap, no
 * duplicate. The issue date is read once the lock is held, so a document
 * that waited for the lock is never dated before the one numbered before it
 * (French law wants the series chronological).
 */
export async function nextInSeries(tx: Tx, partnerId: string, environment: Environment, series: DocumentSeries): Promise<SeriesSlot> {
  const fiscalYear = fiscalYearOf(new Date());
  const [row] = await managerOf(tx).query(`WITH ${seriesIncrementSql('$1', '$2', '$3', '$4')} SELECT last_value, issued_at FROM seq`, [partnerId, environment, series, fiscalYear]);
  return slotOf(series, fiscalYear, row.last_value, row.issued_at);
}

/**
 * The increment as a CTE named `seq` (`last_value`, `issued_at`), for a statement that also writes what the number
 * belongs to; the arguments are the SQL expressions (parameters) for partner, environment, series and fiscal year.
 */
export function seriesIncrementSql(partnerId: string, environment: string, series: string, fiscalYear: string): string {
  return `seq AS (
      INSERT INTO invoice_sequences (partner_id, environment, series, fiscal_year, last_value)
      VALUES (${partnerId}, ${environment}, ${series}, ${fiscalYear}, 1)
      ON CONFLICT (partner_id, environment, series, fiscal_year) DO UPDATE SET last_value = invoice_sequences.last_value + 1
      RETURNING last_value, clock_timestamp() AS issued_at
    )`;
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
