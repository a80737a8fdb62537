import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { ApiKey, managerOf, newId, TenantScope, Tx } from '@app/database';
import { displayPrefix, hashApiKey } from './api-key.util';

/** The api_keys table: only hashes and display prefixes, never a key itself. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private manager(tx?: Tx) {
    return tx ? managerOf(tx) : this.db.manager;
  }

  /** The environment's keys still in force, oldest first; `lock` holds them until the transaction ends. */
  active(scope: TenantScope, tx?: Tx, lock = false): Promise<ApiKey[]> {
    return this.manager(tx).getRepository(ApiKey).find({
      where: { partnerId: scope.partnerId, environment: scope.environment, revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  /** Stores a new key (its hash and prefix) in the scope's partner and environment. */
  async insert(scope: TenantScope, key: string, tx?: Tx): Promise<ApiKey> {
    const apiKey = this.manager(tx).getRepository(ApiKey).create({
      id: newId('key'),
      partnerId: scope.partnerId,
      environment: scope.environment,
      prefix: displayPrefix(key),
      hash: hashApiKey(key),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.manager(tx).getRepository(ApiKey).insert(apiKey);
    return apiKey;
  }

  async revoke(scope: TenantScope, id: string, tx?: Tx): Promise<void> {
    await this.manager(tx).getRepository(ApiKey).update({ id, partnerId: scope.partnerId, environment: scope.environment }, { revokedAt: new Date() });
  }

  /** Informative only: callers do not wait for it. */
  async touch(scope: TenantScope, id: string): Promise<void> {
    await this.db.getRepository(ApiKey).update({ id, partnerId: scope.partnerId, environment: scope.environment }, { lastUsedAt: new Date() });
  }

  /**
   * @crossTenant authentication itself: the key's hash is the credential, and the row found is what the scope is
   * then made from (scopeFromApiKey). Nothing else about any partner leaves this method.
   */
  findByHash(hash: string): Promise<ApiKey | null> {
    return this.db.getRepository(ApiKey).findOneBy({ hash });
  }
}
