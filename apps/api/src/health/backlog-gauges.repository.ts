import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface EndpointBacklog {
  endpoint_id: string;
  partner_id: string;
  n: number;
}

/**
 * What the api's metrics listener reads at scrape time: counts over the inbox and the outbox, never a row. Read
 * only; the tables stay owned by `StripeEventRepository` and the delivery repositories (docs/architecture.md).
 */
@Injectable()
export class BacklogGaugesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stripe events committed but not yet processed, and the age in seconds of the oldest (0 when none). */
  async inbox(): Promise<{ pending: number; lagSeconds: number }> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(received_at)), 0) AS lag FROM stripe_events WHERE status = 'received'`,
    );
    return { pending: row.n, lagSeconds: Number(row.lag) };
  }

  /**
   * @crossTenant a gauge on the internal metrics listener: pending deliveries counted per endpoint across partners,
   * only ids and counts leave it.
   */
  largestEndpointBacklogs(limit: number): Promise<EndpointBacklog[]> {
    return this.db.query(
      `SELECT endpoint_id, partner_id, count(*)::int AS n FROM deliveries WHERE status = 'pending'
       GROUP BY endpoint_id, partner_id ORDER BY n DESC LIMIT $1`,
      [limit],
    );
  }
}
