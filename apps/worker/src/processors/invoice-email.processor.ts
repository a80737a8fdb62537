import { Injectable } from '@nestjs/common';
import { InvoiceMailService } from '@app/mail';
import { JobPayloads } from '@app/queue';

@Injectable()
export class InvoiceEmailProcessor {
  constructor(private readonly mail: InvoiceMailService) {}

  /** Transient SMTP failures throw and BullMQ retries; permanent refusals are recorded on the invoice. */
  async handle({ invoiceId }: JobPayloads['send-invoice-email']): Promise<void> {
    await this.mail.send(invoiceId);
  }
}
