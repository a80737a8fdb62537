export * from './customer-email.content';
export { customerEmailContentParts } from './customer-email.body';
export * from './document-mail.composer';
export * from './document-mail.service';
export * from './invoice-resend.service';
