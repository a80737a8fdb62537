export * from './customer-email.content';
export { customerEmailParts } from './customer-email.body';
export * from './invoice-mail.service';
export * from './invoice-resend.service';
export * from './mail.module';
export * from './mail-templates';
export * from './mailer';
export * from './endpoint-disabled-mail.content';
export * from './credit-note-mail.service';
