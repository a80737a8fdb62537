import { MigrationInterface, QueryRunner } from 'typeorm';

/** Partner self-service: secret rotation, idempotent POSTs. */
export class PartnerApi1763800000000 implements MigrationInterface {
  name = 'PartnerApi1763800000000';

  async up(q: QueryRunner): Promise<void> {
    // During a rotation the old secret keeps signing (beside the new one) until it expires.
    await q.query(`ALTER TABLE endpoints ADD COLUMN previous_secret_encrypted text, ADD COLUMN previous_secret_expires_at timestamptz`);
    // Deleted endpoints stay as rows: their attempts are history the partner can still read.
    await q.query(`ALTER TABLE endpoints ADD COLUMN deleted_at timestamptz`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        partner_id text NOT NULL,
        environment text NOT NULL,
        key text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        request_hash text NOT NULL,
        status_code int,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (partner_id, environment, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
    await q.query(`ALTER TABLE endpoints DROP COLUMN previous_secret_encrypted, DROP COLUMN previous_secret_expires_at, DROP COLUMN deleted_at`);
  }
}
