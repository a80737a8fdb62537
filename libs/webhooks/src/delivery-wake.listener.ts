import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { DELIVERY_DUE_CHANNEL } from './outbox.repository';

const RECONNECT_MS = 1000;

/**
 * Hears the endpoints of deliveries as their outbox transaction commits
 * (LISTEN on DELIVERY_DUE_CHANNEL, one connection per worker process), so a
 * new message is claimed within milliseconds instead of waiting for a queue
 * job. A lost notification (this connection down, the worker restarting) is
 * only late: the sweeper wakes every endpoint with due work.
 */
@Injectable()
export class DeliveryWakeListener implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWakeListener.name);
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Calls `wake(endpointId)` for every endpoint announced from now on, until shutdown. */
  async listen(wake: (endpointId: string) => void): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'delivery-wake' });
    client.on('notification', (n) => n.payload && wake(n.payload));
    client.on('error', (err) => {
      this.logger.warn(`Wake connection lost, reconnecting (the sweeper covers the gap): ${err.message}`);
      this.reconnect(client, wake);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DELIVERY_DUE_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.logger.warn(`Could not listen for new deliveries, retrying: ${(err as Error).message}`);
      this.reconnect(client, wake);
    }
  }

  private reconnect(client: Client, wake: (endpointId: string) => void): void {
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
