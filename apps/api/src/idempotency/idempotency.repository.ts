import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TenantScope } from '@app/database';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

/** The first response to each (partner, environment, Idempotency-Key), kept 24 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Claims the key for this request, or says what an earlier request with it left. */
  async claim(scope: TenantScope, key: string, method: string, path: string, requestHash: string): Promise<Claim> {
    // A key older than the window is free again.
    await this.db.query(
      `DELETE FROM idempotency_keys WHERE partner_id = $1 AND environment = $2 AND key = $3 AND created_at < $4`,
      [scope.partnerId, scope.environment, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)],
    );
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys (partner_id, environment, key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING key`,
      [scope.partnerId, scope.environment, key, method, path, requestHash],
    );
    if (inserted.length === 1) return { kind: 'new' };
    const [row] = await this.db.query(
      `SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE partner_id = $1 AND environment = $2 AND key = $3`,
      [scope.partnerId, scope.environment, key],
    );
    if (!row) return this.claim(scope, key, method, path, requestHash);
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status_code === null) return { kind: 'in_progress' };
    return { kind: 'replay', body: JSON.parse(row.response_body) };
  }

  async complete(scope: TenantScope, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status_code = $4, response_body = $5 WHERE partner_id = $1 AND environment = $2 AND key = $3`,
      [scope.partnerId, scope.environment, key, statusCode, JSON.stringify(body ?? null)],
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
}
