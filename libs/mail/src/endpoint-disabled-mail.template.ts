import { emailDocument } from './customer-email.template';

export const ENDPOINT_DISABLED_KEYS = ['subject', 'preview', 'partnerName', 'environment', 'endpointId', 'endpointUrl', 'whyFr', 'whyEn', 'backlog', 'enableCall', 'portalUrl'] as const;
export type EndpointDisabledKey = (typeof ENDPOINT_DISABLED_KEYS)[number];

/**
 * The partner's notice, French then English (a partner has no language of its own): what happened, what
 * waits, and the one call (or the portal) that sends it all again.
 */
export function endpointDisabledMjml(): string {
  // The deployment's portal address is a value, filled per email: the compiled template is the same everywhere.
  const portal = '{{portalUrl}}';
  const code = 'font-family:Menlo,Consolas,monospace;font-size:13px;background:#eef2f6;color:#1f2933;padding:10px;border-radius:4px;white-space:pre-wrap;word-break:break-all';
  const block = (lang: 'fr' | 'en') => {
    const fr = lang === 'fr';
    return `
      <mj-text padding="14px 24px 4px"><h1 lang="${lang}" style="font-size:20px;margin:0">${fr ? 'Endpoint webhook désactivé' : 'Webhook endpoint disabled'}</h1></mj-text>
      <mj-text><div lang="${lang}">${fr ? 'Bonjour' : 'Hello'} {{partnerName}},<br />
        ${fr ? 'Nous avons désactivé votre endpoint' : 'We disabled your endpoint'} <strong>{{endpointId}}</strong> ({{environment}})<br />
        <span class="name" style="word-break:break-all">{{endpointUrl}}</span><br />
        ${fr ? 'Pourquoi\u00a0:' : 'Why:'} {{${fr ? 'whyFr' : 'whyEn'}}}.</div></mj-text>
      <mj-text><div lang="${lang}"><strong>${fr ? 'Rien n’est perdu\u00a0:' : 'Nothing is lost:'}</strong> ${
        fr
          ? '{{backlog}} message(s) en attente sont conservés\u00a0; ils seront livrés dans l’ordre dès que vous réactiverez l’endpoint.'
          : '{{backlog}} waiting message(s) are kept and will be delivered, in order, as soon as you enable the endpoint again.'
      }</div></mj-text>
      <mj-text><div lang="${lang}">${
        fr
          ? 'Une fois votre serveur corrigé, réactivez l’endpoint depuis le <a href="' + portal + '" style="color:#1d4ed8">portail partenaire</a> ou par l’API, avec la clé API de cet environnement\u00a0:'
          : 'Once your server is fixed, enable the endpoint again from the <a href="' + portal + '" style="color:#1d4ed8">partner portal</a> or through the API, with this environment’s API key:'
      }</div><div style="${code}">{{enableCall}}</div></mj-text>`;
  };
  return emailDocument('fr', `
    <mj-section css-class="card" background-color="#ffffff" padding="16px 0">
      <mj-column>
        ${block('fr')}
        <mj-divider border-width="1px" border-color="#9aa5b1" padding="14px 24px" />
        ${block('en')}
      </mj-column>
    </mj-section>`);
}
