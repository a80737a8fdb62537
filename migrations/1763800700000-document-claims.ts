import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoices and credit notes are rendered and emailed by the worker's document stage, which claims them in
 * PostgreSQL instead of taking BullMQ jobs: a short lease to render (`render_claimed_until`), a longer one to
 * email (`email_claimed_until`, SMTP can be slow). A lapsed lease is the crash recovery: the row is claimable
 * again. The "to email" indexes now leave out documents whose email was refused for good.
 */
export class DocumentClaims1763800700000 implements MigrationInterface {
  name = 'DocumentClaims1763800700000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['invoices', 'credit_notes']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN render_claimed_until timestamptz, ADD COLUMN email_claimed_until timestamptz`);
      await q.query(`DROP INDEX IF EXISTS ${table}_unsent`);
      await q.query(`CREATE INDEX ${table}_unsent ON ${table} (pdf_rendered_at) WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['invoices', 'credit_notes']) {
      await q.query(`DROP INDEX IF EXISTS ${table}_unsent`);
      await q.query(`CREATE INDEX ${table}_unsent ON ${table} (issued_at) WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN render_claimed_until, DROP COLUMN email_claimed_until`);
    }
  }
}
