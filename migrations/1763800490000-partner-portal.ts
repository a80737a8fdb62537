import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partner portal's sign-in: single-use links (15 minutes) exchanged for browser sessions (8 hours). Both keep
 * only the SHA-256 of their secret. Rows go with their partner.
 */
export class PartnerPortal1763800490000 implements MigrationInterface {
  name = 'PartnerPortal1763800490000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_links (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        token_hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE portal_sessions (
        id text PRIMARY KEY,
        partner_id text NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
        environment text NOT NULL CHECK (environment IN ('staging', 'production')),
        secret_hash text NOT NULL UNIQUE,
        link_id text NOT NULL REFERENCES portal_links(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Retention can drop spent links and sessions by age without a scan.
    await q.query(`CREATE INDEX portal_links_expires_at ON portal_links (expires_at)`);
    await q.query(`CREATE INDEX portal_sessions_expires_at ON portal_sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portal_sessions`);
    await q.query(`DROP TABLE portal_links`);
  }
}
