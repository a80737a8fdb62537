import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { Invoice, managerOf, Partner, TenantScope, Tx } from '@app/database';

/** What POST /admin/partners gives; the legal mentions are set afterwards, or keep their defaults. */
export type NewPartner = Pick<Partner, 'id' | 'name' | 'legalName' | 'address' | 'siren' | 'vatNumber' | 'email' | 'invoicePrefix' | 'defaultVatRate' | 'disabledAt'>;

/** The partners table: created and edited by the operator, read by authentication and the portal. */
@Injectable()
export class PartnerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private manager(tx?: Tx) {
    return tx ? managerOf(tx) : this.db.manager;
  }

  /** Stores a new partner (its id already chosen) and returns the stored row. */
  async insert(fields: NewPartner, tx?: Tx): Promise<Partner> {
    const partner = this.manager(tx).create(Partner, fields);
    return this.manager(tx).save(partner);
  }

  /** The partners among `ids` that exist (one read for a batch of events naming them). */
  byIds(ids: string[]): Promise<Partner[]> {
    return ids.length ? this.db.getRepository(Partner).findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  byId(id: string): Promise<Partner | null> {
    return this.db.getRepository(Partner).findOneBy({ id });
  }

  /** The partner row, locked until `tx` ends, so two edits of the same partner apply one after the other. */
  lockById(id: string, tx: Tx): Promise<Partner | null> {
    return managerOf(tx).findOne(Partner, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  exists(id: string): Promise<boolean> {
    return this.db.getRepository(Partner).existsBy({ id });
  }

  /** Newest first. */
  list(): Promise<Partner[]> {
    return this.db.getRepository(Partner).find({ order: { createdAt: 'DESC' } });
  }

  async save(partner: Partner, tx?: Tx): Promise<Partner> {
    return this.manager(tx).save(partner);
  }

  /** Whether the scope's partner has issued any invoice in the scope's environment (read only: invoices belong to libs/invoicing). */
  hasIssuedInvoices(scope: TenantScope, tx?: Tx): Promise<boolean> {
    return this.manager(tx).existsBy(Invoice, { partnerId: scope.partnerId, environment: scope.environment });
  }
}

