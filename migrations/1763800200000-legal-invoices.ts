import { MigrationInterface, QueryRunner } from 'typeorm';

/** French legal mentions, VAT-exclusive pricing, business buyers, logos, refunds and credit notes. */
export class LegalInvoices1763800200000 implements MigrationInterface {
  name = 'LegalInvoices1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE partners
        ADD COLUMN legal_form text,
        ADD COLUMN share_capital bigint CHECK (share_capital >= 0),
        ADD COLUMN rcs_city text,
        ADD COLUMN siret text CHECK (siret ~ '^[0-9]{14}$'),
        ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT true,
        ADD COLUMN late_penalty_rate numeric(5,2) CHECK (late_penalty_rate >= 0),
        ADD COLUMN vat_exemption_text text`);
    await q.query(`
      CREATE TABLE partner_logos (
        partner_id text PRIMARY KEY REFERENCES partners(id),
        content bytea NOT NULL,
        content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
        sha256 text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded'))`);
    // Buyer details a business customer gives at checkout (address, company, VAT number, SIREN).
    await q.query(`
      ALTER TABLE orders
        ADD COLUMN amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0 AND amount_refunded <= amount_total),
        ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT true,
        ADD COLUMN buyer jsonb`);
    // Terms frozen on the invoice with the seller and buyer: pricing mode, late-penalty rate, exemption wording.
    await q.query(`ALTER TABLE invoices ADD COLUMN terms jsonb NOT NULL DEFAULT '{}'`);

    await q.query(`
      CREATE TABLE credit_notes (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id),
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        order_id text NOT NULL REFERENCES orders(id),
        invoice_id text NOT NULL REFERENCES invoices(id),
        stripe_refund_id text NOT NULL,
        number text NOT NULL CHECK (length(number) <= 35),
        fiscal_year int NOT NULL,
        sequence int NOT NULL,
        issued_at timestamptz NOT NULL,
        refunded_at timestamptz NOT NULL,
        currency text NOT NULL,
        amount_total bigint NOT NULL CHECK (amount_total > 0),
        amount_excluding_tax bigint NOT NULL,
        amount_tax bigint NOT NULL,
        locale text NOT NULL,
        seller jsonb NOT NULL,
        buyer jsonb NOT NULL,
        lines jsonb NOT NULL,
        terms jsonb NOT NULL DEFAULT '{}',
        invoice_number text NOT NULL,
        invoice_issued_at timestamptz NOT NULL,
        payment_method text,
        reason text,
        pdf_rendered_at timestamptz,
        emailed_at timestamptz,
        email_error text,
        UNIQUE (partner_id, environment, number),
        -- Idempotent on Stripe's refund id: however many events mention a refund, it gets one credit note.
        UNIQUE (environment, stripe_refund_id)
      )`);
    await q.query(`CREATE INDEX credit_notes_order ON credit_notes (order_id)`);
    await q.query(`CREATE INDEX credit_notes_unrendered ON credit_notes (issued_at) WHERE pdf_rendered_at IS NULL`);
    await q.query(`CREATE INDEX credit_notes_unsent ON credit_notes (issued_at) WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL`);
    await q.query(`
      CREATE TABLE credit_note_pdfs (
        credit_note_id text PRIMARY KEY REFERENCES credit_notes(id),
        content bytea NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // An order can be refunded several times: its refund messages are made unique by the credit note
    // written in the same transaction (one per Stripe refund), not by (order, type).
    await q.query(`DROP INDEX messages_order_type`);
    await q.query(
      `CREATE UNIQUE INDEX messages_order_type ON messages (order_id, type) WHERE order_id IS NOT NULL AND type NOT IN ('order.refunded', 'credit_note.issued')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM messages WHERE type IN ('order.refunded', 'credit_note.issued')`);
    await q.query(`DROP INDEX messages_order_type`);
    await q.query(`CREATE UNIQUE INDEX messages_order_type ON messages (order_id, type) WHERE order_id IS NOT NULL`);
    await q.query(`DROP TABLE IF EXISTS credit_note_pdfs`);
    await q.query(`DROP TABLE IF EXISTS credit_notes`);
    await q.query(`DELETE FROM invoice_sequences WHERE series = 'credit_note'`);
    await q.query(`ALTER TABLE invoices DROP COLUMN terms`);
    await q.query(`ALTER TABLE orders DROP COLUMN amount_refunded, DROP COLUMN prices_include_tax, DROP COLUMN buyer`);
    await q.query(`UPDATE orders SET status = 'paid' WHERE status IN ('partially_refunded', 'refunded')`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'failed', 'expired'))`);
    await q.query(`DROP TABLE IF EXISTS partner_logos`);
    await q.query(`
      ALTER TABLE partners DROP COLUMN legal_form, DROP COLUMN share_capital, DROP COLUMN rcs_city, DROP COLUMN siret,
        DROP COLUMN prices_include_tax, DROP COLUMN late_penalty_rate, DROP COLUMN vat_exemption_text`);
  }
}
