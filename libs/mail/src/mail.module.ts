import { Module } from '@nestjs/common';
import { Mailer } from './mailer';
import { MailTemplates } from './mail-templates';

/** Sending email: the SMTP transport and the compiled templates. What a message says is its sender's business. */
@Module({
  providers: [Mailer, MailTemplates],
  exports: [Mailer, MailTemplates],
})
export class MailModule {}
