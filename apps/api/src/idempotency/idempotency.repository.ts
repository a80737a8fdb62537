import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import type { TenantScope } from '@app/database';
import { SecretBox } from '@app/webhooks';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/**
 * How long an unfinished request holds its key: short enough that a request whose process died frees its key
 * within a minute. A live request that outlasts it (only Stripe calls at their worst, 20 s x 3 tries) may be
 * overtaken by a retry; that is safe because the calls that slow carry Stripe idempotency keys derived from the
 * same Idempotency-Key, and orders are unique on it.
 */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' }
  | { kind: 'forgotten' };

/** What a completed request leaves: its status, its body, and the resource whose secret the body shows, if any. */
export interface IdempotentResponse {
  status: number;
  body: unknown;
  secretOf: string | null;
}

/**
 * The first response to each (partner, environment, Idempotency-Key), kept 24 hours, sealed with the service's
 * encryption key: responses carry endpoint signing secrets and API keys. The ciphertext is bound to its row
 * (partner, environment, key), so it cannot be replayed under another tenant's key.
 */
@Injectable()
export class IdempotencyRepository {
  private readonly box: SecretBox;

  constructor(@InjectDataSource() private readonly db: DataSource, config: AppConfig) {
    this.box = new SecretBox(config.encryptionKey);
  }

  /** Claims the key for this request, or says what an earlier request with it left. */
  async claim(scope: TenantScope, key: string, method: string, path: string, requestHash: string): Promise<Claim> {
    const row = [scope.partnerId, scope.environment, key];
    // A key older than the window is free again.
    await this.db.query(`DELETE FROM idempotency_keys WHERE partner_id = $1 AND environment = $2 AND key = $3 AND created_at < $4`, [
      ...row,
      new Date(Date.now() - IDEMPOTENCY_WINDOW_MS),
    ]);
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys (partner_id, environment, key, method, path, request_hash, lease_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond') ON CONFLICT DO NOTHING RETURNING key`,
      [...row, method, path, requestHash, IDEMPOTENCY_LEASE_MS],
    );
    if (inserted.length === 1) return { kind: 'new' };
    // The same request whose lease ran out (its process died mid-flight): this one takes the key over.
    // (Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count].)
    const takenOver = await this.db.query(
      `WITH taken AS (
         UPDATE idempotency_keys SET lease_expires_at = now() + $5 * interval '1 millisecond', created_at = now()
         WHERE partner_id = $1 AND environment = $2 AND key = $3 AND request_hash = $4 AND status_code IS NULL AND lease_expires_at < now()
         RETURNING key)
       SELECT key FROM taken`,
      [...row, requestHash, IDEMPOTENCY_LEASE_MS],
    );
    if (takenOver.length === 1) return { kind: 'new' };
    const [found] = await this.db.query(
      `SELECT request_hash, status_code, response_sealed FROM idempotency_keys WHERE partner_id = $1 AND environment = $2 AND key = $3`,
      row,
    );
    if (!found) return this.claim(scope, key, method, path, requestHash);
    if (found.request_hash !== requestHash) return { kind: 'mismatch' };
    if (found.status_code === null) return { kind: 'in_progress' };
    if (found.response_sealed === null) return { kind: 'forgotten' };
    return { kind: 'replay', status: found.status_code, body: JSON.parse(this.box.open(found.response_sealed, this.aad(scope, key))) };
  }

  async complete(scope: TenantScope, key: string, response: IdempotentResponse): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(response.body ?? null), this.aad(scope, key));
    await this.db.query(
      `UPDATE idempotency_keys SET status_code = $4, response_sealed = $5, secret_of = $6, lease_expires_at = NULL
       WHERE partner_id = $1 AND environment = $2 AND key = $3`,
      [scope.partnerId, scope.environment, key, response.status, sealed, response.secretOf],
    );
  }

  /** A failed request leaves nothing behind, so a corrected retry with the same key can proceed. */
  async release(scope: TenantScope, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE partner_id = $1 AND environment = $2 AND key = $3 AND status_code IS NULL`, [
      scope.partnerId,
      scope.environment,
      key,
    ]);
  }

  /**
   * Drops the stored responses that showed the secret of a resource now deleted or revoked. The key stays spent
   * (a retry must not create the resource again), but nothing is left to replay.
   */
  async forgetSecretsOf(scope: TenantScope, resourceId: string): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET response_sealed = NULL WHERE partner_id = $1 AND environment = $2 AND secret_of = $3`,
      [scope.partnerId, scope.environment, resourceId],
    );
  }

  private aad(scope: TenantScope, key: string): string {
    return JSON.stringify(['idempotency_keys', scope.partnerId, scope.environment, key]);
  }
}
