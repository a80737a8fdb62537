import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { CreditNote, Invoice, InvoiceBuyer, PartnerLogo } from '@app/database';
import { isPermanentMailError, mailFailureReason, Mailer } from '@app/mail';
import { metrics } from '@app/observability';
import type { DocumentKind } from '../documents/document-kind';
import { DocumentRepository, FiscalDocument } from '../documents/document.repository';
import { DocumentMailComposer } from './document-mail.composer';
import type { CustomerDocument } from './customer-email.content';

export type DocumentMailOutcome = 'sent' | 'no_recipient' | 'rejected' | 'failed';

/**
 * Who receives a document: the customer's email on the order (frozen on the invoice, and copied from it onto its
 * credit notes), under the name of the person who ordered when the buyer is a business, else the buyer's name.
 */
export function recipientOf(buyer: InvoiceBuyer): { name: string; address: string } | string | null {
  if (!buyer.email) return null;
  const name = (buyer.business && buyer.contact_name) || buyer.name;
  return name ? { name, address: buyer.email } : buyer.email;
}

export function customerDocumentOf(kind: DocumentKind, doc: FiscalDocument): CustomerDocument {
  return kind.name === 'invoice' ? { kind: 'invoice', invoice: doc as Invoice } : { kind: 'credit_note', creditNote: doc as CreditNote };
}

/** Emails an invoice or a credit note to its customer, once its PDF is stored, and records the outcome on it. */
@Injectable()
export class DocumentMailService {
  private readonly logger = new Logger(DocumentMailService.name);

  constructor(
    private readonly documents: DocumentRepository,
    private readonly mailer: Mailer,
    private readonly composer: DocumentMailComposer,
    private readonly config: AppConfig,
  ) {}

  /**
   * The Message-ID is derived from the document, so if a crash between the SMTP answer and the record makes us
   * send again, mail clients show a single message. 5xx answers are recorded (they will not change); 4xx and
   * connection failures leave the document to be tried again (`failed`). `inHand`: the PDF and logo the renderer
   * has just stored and drawn with, so they are not read back.
   */
  async send(kind: DocumentKind, doc: FiscalDocument, inHand?: { pdf: Buffer; logo: PartnerLogo | null }): Promise<DocumentMailOutcome> {
    const to = recipientOf(doc.buyer);
    if (!to) {
      await this.documents.recordEmail(kind, doc.id, { emailError: 'The order has no customer email.' });
      return 'no_recipient';
    }
    const [pdf, logo] = inHand ? [inHand.pdf, inHand.logo] : await Promise.all([this.documents.pdfOfClaimed(kind, doc.id), this.documents.logoOf(doc.partnerId)]);
    if (!pdf) throw new Error(`${kind.label} ${doc.id} is marked rendered but has no PDF`);
    try {
      await this.mailer.sendPrepared({
        messageId: `<${doc.id}@${new URL(this.config.publicBaseUrl).hostname}>`,
        to,
        ...this.composer.compose(customerDocumentOf(kind, doc), pdf, logo),
      });
    } catch (err) {
      if (!isPermanentMailError(err)) {
        metrics.emails.inc({ outcome: 'failed' });
        this.logger.warn(`${kind.label} ${doc.number}: mail server unavailable, will retry: ${mailFailureReason(err)}`);
        return 'failed';
      }
      this.logger.warn(`${kind.label} ${doc.number} refused by the mail server: ${mailFailureReason(err)}`);
      await this.documents.recordEmail(kind, doc.id, { emailError: (err as Error).message.slice(0, 500) });
      metrics.emails.inc({ outcome: 'rejected' });
      return 'rejected';
    }
    await this.documents.recordEmail(kind, doc.id, { emailedAt: new Date(), emailError: null });
    metrics.emails.inc({ outcome: 'sent' });
    return 'sent';
  }
}
