import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { endpointDisabledEmailContent, Mailer } from '@app/mail';
import { EndpointRepository } from './endpoint.repository';

/**
 * Emails the partner when one of its endpoints was disabled automatically.
 * At least once: the mark is set after the send, and the Message-ID is
 * derived from the disable time so a repeat is recognisable as one.
 */
@Injectable()
export class EndpointDisabledNoticeService {
  private readonly logger = new Logger(EndpointDisabledNoticeService.name);

  constructor(
    private readonly endpoints: EndpointRepository,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  async send(endpointId: string): Promise<boolean> {
    const row = await this.endpoints.disabledNotice(endpointId);
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
    await this.endpoints.markNoticeSent(row.id, row.disabled_at);
    this.logger.log(`Told the partner that endpoint ${row.id} was disabled (${row.disabled_reason})`);
    return true;
  }

  /** Endpoints disabled automatically whose partner was not told yet (a crash between commit and email). */
  unsent(cutoff: Date): Promise<{ id: string; disabledAt: number }[]> {
    return this.endpoints.unsentNotices(cutoff);
  }
}
