import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ChannelListener } from '@app/database';
import { ADMIN_DATABASE_URL } from './support/scratch-database';
import { waitFor } from './support/wait-for';

/**
 * The one LISTEN connection the worker's stages wake on (Stripe inbox, fiscal documents, deliveries): real
 * PostgreSQL, the connection killed from the server side as a failover or an idle-session reaper would.
 */
describe('ChannelListener on a real PostgreSQL', () => {
  const channel = `test_${randomBytes(4).toString('hex')}`;
  const name = `listener-${channel}`;
  const heard: string[] = [];
  let listenings = 0;
  let listener: ChannelListener;
  let sender: Client;

  beforeAll(async () => {
    sender = new Client({ connectionString: ADMIN_DATABASE_URL });
    await sender.connect();
    listener = new ChannelListener({
      databaseUrl: ADMIN_DATABASE_URL, channel, name, covers: 'test',
      onNotification: (payload) => heard.push(payload),
      onListening: () => listenings++,
    });
    await listener.start();
  });

  afterAll(async () => {
    await listener.stop();
    await sender.end();
  });

  it('hears committed notifications with their payload, and after its connection is killed it listens again', async () => {
    expect(listenings).toBe(1);
    await sender.query('SELECT pg_notify($1, $2)', [channel, 'ep_1']);
    await waitFor('the first payload', () => heard.includes('ep_1'));

    const [{ killed }] = (await sender.query('SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE application_name = $1', [name])).rows;
    expect(killed).toBe(1);
    // Back within its reconnection delay; the stage is told so that it looks at its table for what it missed.
    await waitFor('listening again', async () => listenings === 2 && (await sender.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name])).rowCount === 1, 10_000, 50);
    await sender.query('SELECT pg_notify($1, $2)', [channel, 'ep_2']);
    await waitFor('the payload sent after the reconnection', () => heard.includes('ep_2'));
    expect(heard).toEqual(['ep_1', 'ep_2']);
  });

  it('stops for good: no connection left behind', async () => {
    await listener.stop();
    const { rowCount } = await sender.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name]);
    expect(rowCount).toBe(0);
  });
});
