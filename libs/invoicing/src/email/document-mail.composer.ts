import { Injectable } from '@nestjs/common';
import { SendMailOptions } from 'nodemailer';
import { AppConfig } from '@app/config';
import type { PartnerLogo } from '@app/database';
import { customerEmailParts } from './customer-email.body';
import { CustomerDocument, customerEmailContent } from './customer-email.content';

/**
 * One message for every customer document (invoice, credit note, invoice sent again): HTML and text
 * (multipart/alternative), the logo as a related part, the PDF attached, replies to the partner.
 */
@Injectable()
export class DocumentMailComposer {
  constructor(private readonly config: AppConfig) {}

  compose(source: CustomerDocument, pdf: Buffer, logo: PartnerLogo | null): Omit<SendMailOptions, 'to'> & { subject: string } {
    const doc = source.kind === 'invoice' ? source.invoice : source.creditNote;
    const content = customerEmailContent(source, this.config.platformName, logo);
    return {
      replyTo: doc.seller.email,
      subject: content.subject,
      // The body comes ready-encoded (see customerEmailParts); nodemailer adds the headers and the DKIM signature.
      attachments: customerEmailParts(content, pdf, `${doc.number}.pdf`),
    };
  }
}
