import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ChannelListener } from '@app/database';
import { STRIPE_INBOX_CHANNEL } from './stripe-event.repository';

/**
 * Hears Stripe events as their insert commits (LISTEN on STRIPE_INBOX_CHANNEL, one connection per worker
 * process), so the worker claims them within milliseconds instead of waiting for its poll. A notification lost
 * while this connection was down is only late: `wake` is also called on every (re)connection, and the
 * worker's poll claims whatever is pending anyway.
 */
@Injectable()
export class StripeInboxListener implements OnApplicationShutdown {
  private listener: ChannelListener | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Calls `wake()` for every inbox commit from now on, and after each (re)connection, until shutdown. */
  async listen(wake: () => void): Promise<void> {
    this.listener = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: STRIPE_INBOX_CHANNEL,
      name: 'stripe-inbox',
      covers: 'the inbox poll covers the gap',
      onNotification: () => wake(),
      onListening: () => wake(),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }
}
