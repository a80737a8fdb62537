import { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers with a saved card, off-session charges, Payment Element intents and subscriptions. */
export class PaymentsApi1763800300000 implements MigrationInterface {
  name = 'PaymentsApi1763800300000';

  async up(q: QueryRunner): Promise<void> {
    // What the invoice prints for this customer, and the card saved for charges made later.
    // created_at at millisecond precision: the keyset pagination compares it as JavaScript dates.
    await q.query(`
      ALTER TABLE customers
        ADD COLUMN address jsonb,
        ADD COLUMN locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
        ADD COLUMN business jsonb,
        ADD COLUMN default_payment_method_id text,
        ADD COLUMN payment_method jsonb,
        ADD COLUMN setup_intent_id text,
        ADD COLUMN payment_method_saved_at timestamptz,
        ALTER COLUMN created_at TYPE timestamptz(3)`);
    await q.query(`CREATE INDEX customers_partner ON customers (partner_id, environment, created_at DESC)`);
    await q.query(`CREATE INDEX customers_stripe ON customers (stripe_customer_id)`);

    await q.query(`
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        customer_id text NOT NULL REFERENCES customers(id),
        checkout_session_id text UNIQUE,
        stripe_subscription_id text UNIQUE,
        status text NOT NULL,
        partner_ref text,
        currency text NOT NULL,
        line_items jsonb NOT NULL,
        amount_total bigint NOT NULL CHECK (amount_total > 0),
        prices_include_tax boolean NOT NULL,
        interval text NOT NULL CHECK (interval IN ('month', 'year')),
        locale text NOT NULL,
        current_period_start timestamptz,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        canceled_at timestamptz,
        ended_at timestamptz,
        -- The Stripe event that last set the state: an older event arriving late changes nothing.
        stripe_state_at bigint NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX subscriptions_partner ON subscriptions (partner_id, environment, created_at DESC)`);
    await q.query(`CREATE INDEX subscriptions_customer ON subscriptions (customer_id)`);

    // Recurring Stripe Prices, created once per partner for a given line and reused by later subscriptions.
    await q.query(`
      CREATE TABLE stripe_prices (
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL,
        lookup_key text NOT NULL,
        stripe_price_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (partner_id, environment, lookup_key)
      )`);

    await q.query(`
      ALTER TABLE orders
        ADD COLUMN source text NOT NULL DEFAULT 'checkout' CHECK (source IN ('checkout', 'off_session_charge', 'payment_element', 'subscription')),
        ADD COLUMN decline_code text,
        ADD COLUMN next_action text,
        ADD COLUMN idempotency_key text,
        ADD COLUMN subscription_id text REFERENCES subscriptions(id),
        ADD COLUMN stripe_invoice_id text UNIQUE,
        ADD COLUMN period_start timestamptz,
        ADD COLUMN period_end timestamptz`);
    // A charge retried with its Idempotency-Key finds the order the first try created.
    await q.query(`CREATE UNIQUE INDEX orders_idempotency ON orders (partner_id, environment, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX orders_subscription ON orders (subscription_id) WHERE subscription_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_subscription`);
    await q.query(`DROP INDEX orders_idempotency`);
    await q.query(`
      ALTER TABLE orders DROP COLUMN period_end, DROP COLUMN period_start, DROP COLUMN stripe_invoice_id, DROP COLUMN subscription_id,
        DROP COLUMN idempotency_key, DROP COLUMN next_action, DROP COLUMN decline_code, DROP COLUMN source`);
    await q.query(`DROP TABLE stripe_prices`);
    await q.query(`DROP TABLE subscriptions`);
    await q.query(`DROP INDEX customers_stripe`);
    await q.query(`DROP INDEX customers_partner`);
    await q.query(`
      ALTER TABLE customers ALTER COLUMN created_at TYPE timestamptz, DROP COLUMN payment_method_saved_at, DROP COLUMN setup_intent_id,
        DROP COLUMN payment_method, DROP COLUMN default_payment_method_id, DROP COLUMN business, DROP COLUMN locale, DROP COLUMN address`);
  }
}
