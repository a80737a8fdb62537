import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CreditNote, TenantScope } from '@app/database';
import { AppError } from '@app/errors';

/** Credit notes as a partner sees them: its own, in the key's environment, 404 otherwise. */
@Injectable()
export class CreditNoteRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(scope: TenantScope, id: string): Promise<CreditNote> {
    const cn = await this.db.getRepository(CreditNote).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
    if (!cn) throw AppError.notFound('credit note', id);
    return cn;
  }

  async listForOrder(scope: TenantScope, orderId: string): Promise<CreditNote[]> {
    return this.db.getRepository(CreditNote).find({
      where: { orderId, partnerId: scope.partnerId, environment: scope.environment },
      order: { sequence: 'ASC' },
    });
  }
}
