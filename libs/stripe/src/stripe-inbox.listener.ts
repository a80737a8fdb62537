import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { STRIPE_INBOX_CHANNEL } from './stripe-event.repository';

const RECONNECT_MS = 1000;

/**
 * Hears Stripe events as their insert commits (LISTEN on STRIPE_INBOX_CHANNEL, one connection per worker
 * process), so the worker claims them within milliseconds instead of waiting for its poll. A notification lost
 * while this connection was down is only late: `wake` is also called on every (re)connection, and the
 * worker's poll claims whatever is pending anyway.
 */
@Injectable()
export class StripeInboxListener implements OnApplicationShutdown {
  private readonly logger = new Logger(StripeInboxListener.name);
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Calls `wake()` for every inbox commit from now on, and after each (re)connection, until shutdown. */
  async listen(wake: () => void): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'stripe-inbox' });
    client.on('notification', () => wake());
    client.on('error', (err) => {
      this.logger.warn(`Inbox connection lost, reconnecting (the poll covers the gap): ${err.message}`);
      this.reconnect(client, wake);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STRIPE_INBOX_CHANNEL}`);
      this.client = client;
      // Events committed while nobody listened were not announced to this process.
      wake();
    } catch (err) {
      this.logger.warn(`Could not listen for Stripe events, retrying: ${(err as Error).message}`);
      this.reconnect(client, wake);
    }
  }

  private reconnect(client: Client, wake: () => void): void {
    if (this.client === client) this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.listen(wake);
    }, RECONNECT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
