import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency responses sealed at rest (they carry endpoint signing secrets and API keys), a lease on the
 * in-progress record so a request that died does not hold its key for 24 hours, and the id of the resource
 * whose secret a response carries, so deleting that resource forgets the response.
 */
export class IdempotencySealed1763800460000 implements MigrationInterface {
  name = 'IdempotencySealed1763800460000';

  async up(q: QueryRunner): Promise<void> {
    // SQL cannot encrypt with the service's key, and these rows are a 24-hour replay cache: dropping them
    // costs at most a re-run of a retried request, keeping them would keep secrets in clear.
    await q.query(`DELETE FROM idempotency_keys`);
    await q.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN response_body,
        ADD COLUMN response_sealed text,
        ADD COLUMN secret_of text,
        ADD COLUMN lease_expires_at timestamptz`);
    await q.query(`CREATE INDEX idempotency_keys_secret_of ON idempotency_keys (partner_id, environment, secret_of) WHERE secret_of IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_keys`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_sealed, DROP COLUMN secret_of, DROP COLUMN lease_expires_at, ADD COLUMN response_body text`);
  }
}
