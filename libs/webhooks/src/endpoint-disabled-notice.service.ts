import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { endpointDisabledEmailContent, Mailer } from '@app/mail';

/**
 * Emails the partner when one of its endpoints was disabled automatically.
 * At least once: the mark is set after the send, and the Message-ID is
 * derived from the disable time so a repeat is recognisable as one.
 */
@Injectable()
export class EndpointDisabledNoticeService {
  private readonly logger = new Logger(EndpointDisabledNoticeService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  async send(endpointId: string): Promise<boolean> {
    const [row] = await this.db.query(
      `SELECT e.id, e.url, e.environment, e.disabled_reason, e.disabled_at, e.failing_since, p.name, p.email,
              (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS backlog
       FROM endpoints e JOIN partners p ON p.id = e.partner_id
       WHERE e.id = $1 AND NOT e.enabled AND e.disabled_reason IN ('failing', 'gone') AND e.disabled_notice_sent_at IS NULL`,
      [endpointId],
    );
    if (!row) return false;
    const content = endpointDisabledEmailContent(
      {
        partnerName: row.name,
        endpointId: row.id,
        endpointUrl: row.url,
        environment: row.environment,
        reason: row.disabled_reason,
        failingSince: row.failing_since,
        backlog: row.backlog,
      },
      this.config.platformName,
    );
    const domain = new URL(this.config.publicBaseUrl).hostname;
    await this.mailer.send({ to: row.email, ...content, messageId: `<endpoint-disabled-${row.id}-${row.disabled_at.getTime()}@${domain}>` });
    // Only for this disable (µs in PostgreSQL, ms in JS): a later one gets its own email.
    await this.db.query(`UPDATE endpoints SET disabled_notice_sent_at = now() WHERE id = $1 AND abs(extract(epoch FROM disabled_at - $2::timestamptz)) < 0.001`, [
      row.id,
      row.disabled_at,
    ]);
    this.logger.log(`Told ${row.email} that endpoint ${row.id} was disabled (${row.disabled_reason})`);
    return true;
  }

  /** Endpoints disabled automatically whose partner was not told yet (a crash between commit and email). */
  async unsent(cutoff: Date): Promise<{ id: string; disabledAt: number }[]> {
    const rows: { id: string; disabled_at: Date }[] = await this.db.query(
      `SELECT id, disabled_at FROM endpoints
       WHERE NOT enabled AND disabled_reason IN ('failing', 'gone') AND disabled_notice_sent_at IS NULL AND disabled_at < $1 LIMIT 100`,
      [cutoff],
    );
    return rows.map((r) => ({ id: r.id, disabledAt: r.disabled_at.getTime() }));
  }
}
