import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CreditNote, CreditNotePdf, Invoice, InvoicePdf, PartnerLogo, TenantScope } from '@app/database';

/**
 * What emailing a document reads and records: the invoice or credit note, its PDF, the partner's logo, and its email columns
 * (`emailed_at`, `email_error`). The email jobs act by document id; the partner's resend carries its scope.
 */
@Injectable()
export class DocumentMailRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * @crossTenant the invoice-email job, by the id of an invoice the worker issued: it reads that one row and
   * writes to its own customer only.
   */
  invoice(id: string): Promise<Invoice | null> {
    return this.db.getRepository(Invoice).findOneBy({ id });
  }

  /** @crossTenant the same job, for the same invoice's PDF. */
  invoicePdfOfJob(invoiceId: string): Promise<InvoicePdf | null> {
    return this.db.getRepository(InvoicePdf).findOneBy({ invoiceId });
  }

  /** @crossTenant the same job records the outcome on the same invoice. */
  async recordInvoiceEmail(id: string, outcome: { emailedAt?: Date; emailError: string | null }): Promise<void> {
    await this.db.getRepository(Invoice).update({ id }, outcome);
  }

  /** The PDF of an invoice of the scope (a partner asking for another email). */
  async invoicePdf(scope: TenantScope, invoiceId: string): Promise<InvoicePdf | null> {
    const owned = await this.db.getRepository(Invoice).existsBy({ id: invoiceId, partnerId: scope.partnerId, environment: scope.environment });
    return owned ? this.db.getRepository(InvoicePdf).findOneBy({ invoiceId }) : null;
  }

  /**
   * @crossTenant the email jobs, for the partner of the document they were given by id: its logo goes into
   * that document's email only.
   */
  logoOfJob(partnerId: string): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId });
  }

  /** The logo of the scope's partner (a partner asking for another email). */
  logo(scope: TenantScope): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId: scope.partnerId });
  }

  /** @crossTenant the credit-note job, by the id of a credit note the worker issued. */
  creditNote(id: string): Promise<CreditNote | null> {
    return this.db.getRepository(CreditNote).findOneBy({ id });
  }

  /** @crossTenant the same job, for the same credit note's PDF. */
  creditNotePdfOfJob(creditNoteId: string): Promise<CreditNotePdf | null> {
    return this.db.getRepository(CreditNotePdf).findOneBy({ creditNoteId });
  }

  /** @crossTenant the same job records the outcome on the same credit note. */
  async recordCreditNoteEmail(id: string, outcome: { emailedAt?: Date; emailError: string | null }): Promise<void> {
    await this.db.getRepository(CreditNote).update({ id }, outcome);
  }
}
