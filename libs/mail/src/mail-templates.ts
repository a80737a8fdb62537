import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { Locale } from '@app/database';
import { CUSTOMER_EMAIL_KEYS, CustomerEmailKey } from './customer-email.template';
import { ENDPOINT_DISABLED_KEYS, EndpointDisabledKey } from './endpoint-disabled-mail.template';
import { HtmlTemplate } from './html-template';
import { COMPILED_MAIL_TEMPLATES } from './mail-templates.generated';

interface CompiledTemplates {
  customer: Map<string, HtmlTemplate<CustomerEmailKey>>;
  endpointDisabled: HtmlTemplate<EndpointDisabledKey>;
}

let compiled: CompiledTemplates | null = null;
let baseUrl = '';

function named(name: string) {
  const template = COMPILED_MAIL_TEMPLATES[name];
  if (!template) throw new Error(`email template ${name} is missing from mail-templates.generated.ts: run npm run build:mail-templates`);
  return template;
}

/**
 * Loads the email templates MJML compiled ahead of time (`npm run build:mail-templates`), once per process, and
 * remembers the api's public URL, which the partner's notice links to.
 */
export function loadMailTemplates(publicBaseUrl: string): Promise<void> {
  baseUrl = publicBaseUrl.replace(/\/+$/, '');
  if (!compiled) {
    const customer = new Map<string, HtmlTemplate<CustomerEmailKey>>();
    for (const locale of ['fr', 'en'] as const) {
      for (const staging of [false, true]) customer.set(`${locale}:${staging}`, HtmlTemplate.fromCompiled(named(`customer:${locale}:${staging}`), CUSTOMER_EMAIL_KEYS));
    }
    compiled = { customer, endpointDisabled: HtmlTemplate.fromCompiled(named('endpointDisabled'), ENDPOINT_DISABLED_KEYS) };
  }
  return Promise.resolve();
}

function ready(): CompiledTemplates {
  // The MailModule loads them before the app starts; a script must call loadMailTemplates() itself.
  if (!compiled) throw new Error('Email templates are not loaded yet: call loadMailTemplates() first');
  return compiled;
}

export function customerEmailTemplate(locale: Locale, staging: boolean): HtmlTemplate<CustomerEmailKey> {
  return ready().customer.get(`${locale === 'en' ? 'en' : 'fr'}:${staging}`)!;
}

/** The api's public URL the templates were compiled with (links in the partner's notice). */
export function publicBaseUrlOfTemplates(): string {
  ready();
  return baseUrl;
}

export function endpointDisabledTemplate(): HtmlTemplate<EndpointDisabledKey> {
  return ready().endpointDisabled;
}

/** Loads the templates while the api or the worker boots, so the first email costs no more than the next. */
@Injectable()
export class MailTemplates implements OnModuleInit {
  constructor(private readonly config: AppConfig) {}

  onModuleInit(): Promise<void> {
    return loadMailTemplates(this.config.publicBaseUrl);
  }
}
