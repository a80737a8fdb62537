import { CUSTOMER_EMAIL_KEYS, customerEmailMjml } from './customer-email.template';
import { ENDPOINT_DISABLED_KEYS, endpointDisabledMjml } from './endpoint-disabled-mail.template';

/** Every email template as MJML, by name: what `npm run build:mail-templates` compiles into mail-templates.generated.ts. */
export function mailTemplateSources(): Record<string, { mjml: string; keys: readonly string[] }> {
  const sources: Record<string, { mjml: string; keys: readonly string[] }> = {};
  for (const locale of ['fr', 'en'] as const) {
    for (const staging of [false, true]) sources[`customer:${locale}:${staging}`] = { mjml: customerEmailMjml(locale, staging), keys: CUSTOMER_EMAIL_KEYS };
  }
  sources.endpointDisabled = { mjml: endpointDisabledMjml(), keys: ENDPOINT_DISABLED_KEYS };
  return sources;
}
