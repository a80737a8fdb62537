import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

declare const txBrand: unique symbol;

/**
 * An open transaction as a service sees it: a token to hand to repositories, nothing to query with. Services
 * decide where a transaction starts and ends (policy); only repositories turn it back into SQL (I/O).
 */
export interface Tx {
  readonly [txBrand]: 'Tx';
}

/** Repositories only: the TypeORM manager a `Tx` stands for. */
export function managerOf(tx: Tx): EntityManager {
  return tx as unknown as EntityManager;
}

/** Repositories only: wraps a manager they opened themselves so services can carry it. */
export function asTx(manager: EntityManager): Tx {
  return manager as unknown as Tx;
}

/** Starts transactions for services, which never see the `DataSource`. */
@Injectable()
export class UnitOfWork {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => work(asTx(manager)));
  }
}
