import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { PartnerLogo } from '@app/database';
import type { PreparedMail } from '@app/mail';
import { customerEmailContentParts } from './customer-email.body';
import { CustomerDocument, customerEmailContent } from './customer-email.content';

/**
 * One message for every customer document (invoice, credit note, invoice sent again): HTML and text
 * (multipart/alternative), the logo as a related part, the PDF attached, replies to the partner.
 */
@Injectable()
export class DocumentMailComposer {
  constructor(private readonly config: AppConfig) {}

  compose(source: CustomerDocument, pdf: Buffer, logo: PartnerLogo | null): Omit<PreparedMail, 'to' | 'messageId'> {
    const doc = source.kind === 'invoice' ? source.invoice : source.creditNote;
    const content = customerEmailContent(source, this.config.platformName, logo);
    return {
      replyTo: doc.seller.email,
      subject: content.subject,
      // Encoded here (see customerEmailContentParts); the Mailer adds the message headers, nodemailer the DKIM signature.
      content: customerEmailContentParts(content, pdf, `${doc.number}.pdf`),
    };
  }
}
