import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { FISCAL_DOCUMENT_ISSUED_CHANNEL } from './document-kind';

const RECONNECT_MS = 1000;

/**
 * Hears invoices and credit notes as the transactions issuing them commit (LISTEN on
 * FISCAL_DOCUMENT_ISSUED_CHANNEL, one connection per worker process). A notification lost while this connection
 * is down only makes a document wait for the stage's next poll.
 */
@Injectable()
export class DocumentIssuedListener {
  private readonly logger = new Logger(DocumentIssuedListener.name);
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly config: AppConfig) {}

  async listen(onIssued: () => void): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'document-issued' });
    client.on('notification', () => onIssued());
    client.on('error', (err) => {
      this.logger.warn(`Document connection lost, reconnecting (the poll covers the gap): ${err.message}`);
      this.reconnect(client, onIssued);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FISCAL_DOCUMENT_ISSUED_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.logger.warn(`Could not listen for issued documents, retrying: ${(err as Error).message}`);
      this.reconnect(client, onIssued);
    }
  }

  private reconnect(client: Client, onIssued: () => void): void {
    if (this.client === client) this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.listen(onIssued);
    }, RECONNECT_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
