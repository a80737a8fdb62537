import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface FailingEndpoint {
  endpoint_id: string;
  partner_id: string;
  environment: string;
  url: string;
  enabled: boolean;
  failed_attempts: number;
  attempts: number;
  last_attempt_at: Date;
}

/**
 * The operator overview's own reads over attempts, endpoints and invoices, behind the admin token. Read only: those
 * tables stay owned by their repositories in libs/webhooks and libs/invoicing (docs/architecture.md).
 */
@Injectable()
export class AdminOverviewRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * @crossTenant operator-only: the 50 endpoints with the most failed attempts in the last 24 h, over every partner,
   * behind the admin token.
   */
  failingEndpoints(): Promise<FailingEndpoint[]> {
    return this.db.query(
      `SELECT e.id AS endpoint_id, e.partner_id, e.environment, e.url, e.enabled,
              count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)::int AS failed_attempts,
              count(*)::int AS attempts, max(a.attempted_at) AS last_attempt_at
       FROM attempts a JOIN endpoints e ON e.id = a.endpoint_id
       WHERE a.attempted_at > now() - interval '24 hours' AND e.deleted_at IS NULL
       GROUP BY e.id HAVING count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299) > 0
       ORDER BY failed_attempts DESC LIMIT 50`,
    );
  }

  /** @crossTenant operator-only total: customer emails of invoices issued in the last 24 h that failed; a count, no partner data. */
  async invoiceEmailsFailedLastDay(): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM invoices WHERE email_error IS NOT NULL AND issued_at > now() - interval '24 hours'`);
    return row.n;
  }
}
