import { Injectable } from '@nestjs/common';
import { JobPayloads } from '@app/queue';
import { EndpointDisabledNoticeService } from '@app/webhooks';

@Injectable()
export class EndpointDisabledEmailProcessor {
  constructor(private readonly notices: EndpointDisabledNoticeService) {}

  /** SMTP failures throw and BullMQ retries; an endpoint already re-enabled or already told is skipped. */
  async handle({ endpointId }: JobPayloads['send-endpoint-disabled-email']): Promise<void> {
    await this.notices.send(endpointId);
  }
}
