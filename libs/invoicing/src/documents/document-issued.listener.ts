import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ChannelListener } from '@app/database';
import { FISCAL_DOCUMENT_ISSUED_CHANNEL } from './document-kind';

/**
 * Hears invoices and credit notes as the transactions issuing them commit (LISTEN on
 * FISCAL_DOCUMENT_ISSUED_CHANNEL, one connection per worker process). A notification lost while this connection
 * is down only makes a document wait for the stage's next poll.
 */
@Injectable()
export class DocumentIssuedListener {
  private listener: ChannelListener | null = null;

  constructor(private readonly config: AppConfig) {}

  async listen(onIssued: () => void): Promise<void> {
    this.listener = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: FISCAL_DOCUMENT_ISSUED_CHANNEL,
      name: 'document-issued',
      covers: 'the document poll covers the gap',
      onNotification: () => onIssued(),
    });
    await this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
  }
}
