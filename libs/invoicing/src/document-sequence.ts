import { EntityManager } from 'typeorm';
import type { Environment } from '@app/database';
import { fiscalYearOf } from './invoice-number';

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
export async function nextInSeries(tx: EntityManager, partnerId: string, environment: Environment, series: DocumentSeries): Promise<SeriesSlot> {
  const fiscalYear = fiscalYearOf(new Date());
  const [row] = await tx.query(
    `INSERT INTO invoice_sequences (partner_id, environment, series, fiscal_year, last_value)
     VALUES ($1, $2, $3, $4, 1)
     ON CONFLICT (partner_id, environment, series, fiscal_year)
     DO UPDATE SET last_value = invoice_sequences.last_value + 1
     RETURNING last_value, clock_timestamp() AS issued_at`,
    [partnerId, environment, series, fiscalYear],
  );
  const issuedAt = new Date(row.issued_at);
  if (fiscalYearOf(issuedAt) !== fiscalYear) {
    // The year turned while we waited for the lock: retrying takes a number in the new year's series.
    throw new Error(`The fiscal year turned while numbering a ${series}; retry`);
  }
  return { fiscalYear, sequence: row.last_value, issuedAt };
}
