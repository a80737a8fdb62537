import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { Locale } from '@app/database';
import { CUSTOMER_EMAIL_KEYS, CustomerEmailKey, customerEmailMjml } from './customer-email.template';
import { ENDPOINT_DISABLED_KEYS, EndpointDisabledKey, endpointDisabledMjml } from './endpoint-disabled-mail.template';
import { HtmlTemplate } from './html-template';

interface CompiledTemplates {
  customer: Map<string, HtmlTemplate<CustomerEmailKey>>;
  endpointDisabled: HtmlTemplate<EndpointDisabledKey>;
}

let compiled: CompiledTemplates | null = null;
let baseUrl = '';
let compiling: Promise<CompiledTemplates> | null = null;

/**
 * Compiles every email template once per process (five MJML documents, a few hundred ms in all). The links
 * to the api and the portal are compiled in, since they are the same for every email of the deployment.
 */
export function loadMailTemplates(publicBaseUrl: string): Promise<void> {
  baseUrl = publicBaseUrl.replace(/\/+$/, '');
  compiling ??= (async () => {
    const customer = new Map<string, HtmlTemplate<CustomerEmailKey>>();
    for (const locale of ['fr', 'en'] as const) {
      for (const staging of [false, true]) {
        customer.set(`${locale}:${staging}`, await HtmlTemplate.compile(customerEmailMjml(locale, staging), CUSTOMER_EMAIL_KEYS));
      }
    }
    const endpointDisabled = await HtmlTemplate.compile(endpointDisabledMjml(publicBaseUrl), ENDPOINT_DISABLED_KEYS);
    return (compiled = { customer, endpointDisabled });
  })();
  return compiling.then(() => undefined);
}

function ready(): CompiledTemplates {
  // The MailModule compiles them before the app starts; a script must await loadMailTemplates() itself.
  if (!compiled) throw new Error('Email templates are not compiled yet: await loadMailTemplates() first');
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

/** Compiles the templates while the api or the worker boots, so the first email costs no more than the next. */
@Injectable()
export class MailTemplates implements OnModuleInit {
  constructor(private readonly config: AppConfig) {}

  onModuleInit(): Promise<void> {
    return loadMailTemplates(this.config.publicBaseUrl);
  }
}
