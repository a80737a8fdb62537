import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ChannelListener } from '@app/database';
import { DELIVERY_DUE_CHANNEL } from './outbox.repository';

/**
 * Hears the endpoints of deliveries as their outbox transaction commits
 * (LISTEN on DELIVERY_DUE_CHANNEL, one connection per worker process), so a
 * new message is claimed within milliseconds instead of waiting for a queue
 * job. A lost notification (this connection down, the worker restarting) is
 * only late: the sweeper wakes every endpoint with due work.
 */
@Injectable()
export class DeliveryWakeListener implements OnApplicationShutdown {
  private listener: ChannelListener | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Calls `wake(endpointId)` for every endpoint announced from now on, until shutdown. */
  async listen(wake: (endpointId: string) => void): Promise<void> {
    this.listener = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: DELIVERY_DUE_CHANNEL,
      name: 'delivery-wake',
      covers: 'the sweeper covers the gap',
      onNotification: (endpointId) => endpointId && wake(endpointId),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }
}
