import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const RECONNECT_MS = 1000;

export interface ChannelListenerOptions {
  databaseUrl: string;
  /** The PostgreSQL channel (LISTEN): a constant of the table's owner, never user input. */
  channel: string;
  /** `application_name` of the connection, so `pg_stat_activity` tells the listeners apart. */
  name: string;
  /** Said in the warnings: what a lost connection delays, and what covers the gap. */
  covers: string;
  onNotification: (payload: string) => void;
  /**
   * Called each time the LISTEN is in place, the first time and after every reconnection: notifications sent
   * while nobody listened are lost, so a stage that cannot wait for its poll looks at its table then.
   */
  onListening?: () => void;
}

/**
 * One dedicated connection LISTENing on one channel, reconnected every second when it drops, until `stop()`.
 * Notifications are only wake-ups: each listener's stage also polls its table, so a notification lost while
 * this connection was down is late work, never lost work. Not a pooled connection: LISTEN belongs to the
 * session, and a pooled client would hand it to whoever borrows it next.
 */
export class ChannelListener {
  private readonly logger: Logger;
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly options: ChannelListenerOptions) {
    this.logger = new Logger(`Listen(${options.channel})`);
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    const { databaseUrl, channel, name, covers, onNotification, onListening } = this.options;
    const client = new Client({ connectionString: databaseUrl, application_name: name });
    client.on('notification', (n) => onNotification(n.payload ?? ''));
    client.on('error', (err) => {
      this.logger.warn(`Connection lost, reconnecting (${covers}): ${err.message}`);
      this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      this.client = client;
      onListening?.();
    } catch (err) {
      this.logger.warn(`Could not listen, retrying (${covers}): ${(err as Error).message}`);
      this.reconnect(client);
    }
  }

  private reconnect(client: Client): void {
    if (this.client === client) this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, RECONNECT_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
