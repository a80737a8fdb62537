/**
 * The do-it-yourself Stripe ingest that `bench:ingest` measures our api against, in the same run: what a team
 * writes from Stripe's docs in an afternoon. Express 5 with a raw body, `stripe.webhooks.constructEvent`, one
 * `INSERT … ON CONFLICT DO NOTHING` per event on a pool of 10, one BullMQ `add` per event with the event id as
 * job id, then 200. Forked by bench-ingest.ts; not part of the product.
 */
import { Queue } from 'bullmq';
import express from 'express';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import Stripe from 'stripe';

const port = Number(process.env.DIY_PORT);
const secret = process.env.DIY_WEBHOOK_SECRET!;
const stripe = new Stripe('sk_test_diy_bench_unused');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const connection = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const queue = new Queue('stripe-events', { connection, prefix: process.env.QUEUE_PREFIX });

const app = express();
app.post('/stripe/webhook', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.header('stripe-signature') ?? '', secret);
  } catch {
    res.status(400).json({ error: 'invalid signature' });
    return;
  }
  try {
    await pool.query(
      'INSERT INTO stripe_events (id, type, livemode, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [event.id, event.type, event.livemode, event],
    );
    await queue.add('process-stripe-event', { eventId: event.id }, { jobId: event.id, removeOnComplete: 1000 });
    res.json({ received: true });
  } catch {
    res.status(500).json({ error: 'try again' });
  }
});
app.get('/health', (_req, res) => {
  res.send('ok');
});

const server = app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void Promise.allSettled([queue.close(), pool.end()]).then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
