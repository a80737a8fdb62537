import Stripe from 'stripe';
import { TestStack } from '../support/test-stack';

/**
 * What a refused request must not have changed: every table of the database
 * (row count and a fingerprint of its content) and the objects on Stripe (the
 * emulator, listed through the official SDK) in both modes.
 */
export interface Snapshot {
  tables: Record<string, { rows: number; fingerprint: string }>;
  stripe: Record<string, number>;
}

/** Columns that change on every authenticated read: not a write by the request under test. */
const VOLATILE_COLUMNS = ['last_used_at'];

async function tableSnapshot(stack: TestStack): Promise<Snapshot['tables']> {
  const tables = await stack.sql<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const minus = VOLATILE_COLUMNS.map((c) => ` - '${c}'`).join('');
  const union = tables
    .map(({ name }) => `SELECT '${name}' AS name, count(*)::int AS rows, coalesce(md5(string_agg((to_jsonb(t)${minus})::text, ',' ORDER BY (to_jsonb(t)${minus})::text)), '') AS fingerprint FROM "${name}" t`)
    .join(' UNION ALL ');
  const rows = await stack.sql<{ name: string; rows: number; fingerprint: string }>(union);
  return Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, fingerprint: r.fingerprint }]));
}

async function count<T>(list: () => Stripe.ApiListPromise<T>): Promise<number> {
  let n = 0;
  for await (const _ of list()) n++;
  return n;
}

async function stripeCounts(stack: TestStack): Promise<Snapshot['stripe']> {
  const out: Record<string, number> = {};
  for (const mode of ['staging', 'production'] as const) {
    const stripe = stack.stripe(mode);
    const counts = await Promise.all([
      count(() => stripe.customers.list({ limit: 100 })),
      count(() => stripe.checkout.sessions.list({ limit: 100 })),
      count(() => stripe.paymentIntents.list({ limit: 100 })),
      count(() => stripe.subscriptions.list({ limit: 100, status: 'all' })),
      count(() => stripe.refunds.list({ limit: 100 })),
    ]);
    ['customers', 'checkout_sessions', 'payment_intents', 'subscriptions', 'refunds'].forEach((kind, i) => (out[`${mode}.${kind}`] = counts[i]));
  }
  return out;
}

export async function snapshot(stack: TestStack): Promise<Snapshot> {
  const [tables, stripe] = await Promise.all([tableSnapshot(stack), stripeCounts(stack)]);
  return { tables, stripe };
}

/** The tables and Stripe counts that differ between two snapshots (empty: nothing was written). */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [name, t] of Object.entries(after.tables)) {
    const b = before.tables[name];
    if (!b || b.rows !== t.rows) out.push(`${name}: ${b?.rows ?? 0} -> ${t.rows} rows`);
    else if (b.fingerprint !== t.fingerprint) out.push(`${name}: rows changed`);
  }
  for (const [kind, n] of Object.entries(after.stripe)) if (before.stripe[kind] !== n) out.push(`stripe ${kind}: ${before.stripe[kind]} -> ${n}`);
  return out;
}
