import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery claim moved out of PostgreSQL: its policy is planClaim() in
 * libs/webhooks (pure, unit-tested) and its statements are
 * DeliveryClaimRepository.claim. The PL/pgSQL function is no longer called.
 */
export class ClaimInRepository1763800500000 implements MigrationInterface {
  name = 'ClaimInRepository1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS claim_deliveries(text, int, int)`);
  }

  async down(): Promise<void> {
    // Code from before this migration calls claim_deliveries(); its definition is in 1763800100000-delivery-engine.
    throw new Error('ClaimInRepository1763800500000 cannot be reverted: deploy the previous code with a database restored from before it');
  }
}
