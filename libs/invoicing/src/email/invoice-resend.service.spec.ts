import { AppConfig } from '@app/config';
import { Invoice, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { Mailer } from '@app/mail';
import { DocumentRepository } from '../documents/document.repository';
import { DocumentMailComposer } from './document-mail.composer';
import { InvoiceResendService } from './invoice-resend.service';

describe('InvoiceResendService', () => {
  it('tells the partner the mail server refused the recipient, without the address the server echoed', async () => {
    const refusal = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <compta@client.example>: Recipient address rejected"), {
      code: 'EENVELOPE',
      responseCode: 550,
    });
    const documents = { pdfOf: async () => Buffer.from('%PDF-1.7'), logo: async () => null } as unknown as DocumentRepository;
    const mailer = { sendPrepared: async () => Promise.reject(refusal) } as unknown as Mailer;
    const composer = { compose: () => ({ subject: 'Facture', content: [] }) } as unknown as DocumentMailComposer;
    const config = { publicBaseUrl: 'https://comptappart.example' } as AppConfig;
    const service = new InvoiceResendService(documents, mailer, composer, config);
    const invoice = { id: 'inv_1', number: 'F-2026-000001', buyer: { email: 'client@client.example' } } as unknown as Invoice;

    const err = await service.resend({} as TenantScope, invoice, 'compta@client.example').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('550 5.1.1');
    expect((err as AppError).message).toContain('EENVELOPE');
    expect((err as AppError).message).not.toContain('client.example');
  });
});
