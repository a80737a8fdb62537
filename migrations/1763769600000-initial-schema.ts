import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE partners (
        id text PRIMARY KEY,
        name text NOT NULL,
        legal_name text NOT NULL,
        address jsonb NOT NULL,
        siren text NOT NULL,
        vat_number text,
        email text NOT NULL,
        invoice_prefix text NOT NULL,
        default_vat_rate numeric(5,2) NOT NULL DEFAULT 20,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        prefix text NOT NULL,
        hash text NOT NULL UNIQUE,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_keys_partner ON api_keys (partner_id, environment)`);
    await q.query(`
      CREATE TABLE endpoints (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        url text NOT NULL,
        description text,
        event_types text[] NOT NULL DEFAULT '{}',
        secret_encrypted text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX endpoints_partner ON endpoints (partner_id, environment)`);
    await q.query(`
      CREATE TABLE customers (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        lookup_key text NOT NULL,
        external_id text,
        email text NOT NULL,
        name text,
        stripe_customer_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (partner_id, environment, lookup_key)
      )`);
    await q.query(`
      CREATE TABLE orders (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        status text NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'expired')),
        partner_order_ref text,
        currency text NOT NULL,
        amount_total bigint NOT NULL CHECK (amount_total >= 0),
        line_items jsonb NOT NULL,
        customer_id text REFERENCES customers(id),
        customer_email text,
        customer_name text,
        stripe_customer_id text,
        locale text NOT NULL DEFAULT 'fr',
        checkout_session_id text UNIQUE,
        payment_intent_id text,
        payment_method_type text,
        failure_reason text,
        paid_event_id text,
        paid_at timestamptz,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX orders_partner ON orders (partner_id, environment, created_at DESC)`);
    await q.query(`CREATE INDEX orders_payment_intent ON orders (payment_intent_id) WHERE payment_intent_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        livemode boolean NOT NULL,
        -- json (kept as text) with lz4: measured here, jsonb parsing and the
        -- default pglz compression cut inbox insert throughput by half or more.
        payload json COMPRESSION lz4 NOT NULL,
        status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'unrouted', 'ignored')),
        partner_id text,
        detail text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    // The sweeper looks for committed but unprocessed events; keep that lookup cheap.
    await q.query(`CREATE INDEX stripe_events_pending ON stripe_events (received_at) WHERE status = 'received'`);
    await q.query(`CREATE INDEX stripe_events_status ON stripe_events (status, received_at DESC)`);
    // One row per series; the row lock taken by the increment is what makes numbering gapless.
    await q.query(`
      CREATE TABLE invoice_sequences (
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL,
        series text NOT NULL,
        fiscal_year int NOT NULL,
        last_value int NOT NULL,
        PRIMARY KEY (partner_id, environment, series, fiscal_year)
      )`);
    await q.query(`
      CREATE TABLE invoices (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        order_id text NOT NULL UNIQUE REFERENCES orders(id),
        number text NOT NULL CHECK (length(number) <= 35),
        fiscal_year int NOT NULL,
        sequence int NOT NULL,
        issued_at timestamptz NOT NULL,
        currency text NOT NULL,
        amount_total bigint NOT NULL,
        amount_excluding_tax bigint NOT NULL,
        amount_tax bigint NOT NULL,
        locale text NOT NULL,
        seller jsonb NOT NULL,
        buyer jsonb NOT NULL,
        lines jsonb NOT NULL,
        paid_at timestamptz NOT NULL,
        payment_method text,
        pdf_rendered_at timestamptz,
        emailed_at timestamptz,
        email_error text,
        UNIQUE (partner_id, environment, number)
      )`);
    await q.query(`CREATE INDEX invoices_unrendered ON invoices (issued_at) WHERE pdf_rendered_at IS NULL`);
    await q.query(`CREATE INDEX invoices_unsent ON invoices (issued_at) WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL`);
    await q.query(`
      CREATE TABLE invoice_pdfs (
        invoice_id text PRIMARY KEY REFERENCES invoices(id),
        content bytea NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE messages (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        type text NOT NULL,
        order_id text REFERENCES orders(id),
        body text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // "One message per (order, type)": a replayed Stripe event cannot notify the partner twice.
    await q.query(`CREATE UNIQUE INDEX messages_order_type ON messages (order_id, type) WHERE order_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_partner ON messages (partner_id, environment, created_at DESC)`);
    await q.query(`
      CREATE TABLE deliveries (
        id text PRIMARY KEY,
        message_id text NOT NULL REFERENCES messages(id),
        endpoint_id text NOT NULL REFERENCES endpoints(id),
        partner_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempt_count int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (message_id, endpoint_id)
      )`);
    await q.query(`CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE attempts (
        id text PRIMARY KEY,
        delivery_id text NOT NULL REFERENCES deliveries(id),
        message_id text NOT NULL,
        endpoint_id text NOT NULL,
        attempted_at timestamptz NOT NULL,
        status_code int,
        duration_ms int NOT NULL,
        response_body text,
        error text
      )`);
    await q.query(`CREATE INDEX attempts_delivery ON attempts (delivery_id, attempted_at)`);
    await q.query(`CREATE INDEX attempts_endpoint ON attempts (endpoint_id, attempted_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['attempts', 'deliveries', 'messages', 'invoice_pdfs', 'invoices', 'invoice_sequences', 'stripe_events', 'orders', 'customers', 'endpoints', 'api_keys', 'partners']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
