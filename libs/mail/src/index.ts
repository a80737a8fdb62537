export * from './mail.module';
export * from './mail-templates';
export * from './mailer';
export { headerLine, type PreparedMail, preparedMessage } from './mail-headers';
export * from './endpoint-disabled-mail.content';
// What the customer-document emails (libs/invoicing/src/email) build on: labels, HTML escaping, encoding.
export { customerEmailLabels, paymentMethodWords } from './customer-email.labels';
export { escapeHtml, quotedPrintable, SafeHtml } from './html-template';
export { markSmtpLineSafe } from './smtp-dot-stuffing';
