import { endpointDisabledTemplate, publicBaseUrlOfTemplates } from './mail-templates';

export interface EndpointDisabledNotice {
  partnerName: string;
  endpointId: string;
  endpointUrl: string;
  environment: 'staging' | 'production';
  reason: 'failing' | 'gone';
  failingSince: Date | null;
  /** Messages waiting for the endpoint; they are kept and sent, in order, once it is enabled again. */
  backlog: number;
}

const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** Tells the partner one of its webhook endpoints was switched off, why, that nothing is lost, and how to resume. */
export function endpointDisabledEmailContent(n: EndpointDisabledNotice, platformName: string): { subject: string; text: string; html: string } {
  const env = n.environment === 'staging' ? ' [staging]' : '';
  const whyFr =
    n.reason === 'gone'
      ? 'il a répondu 410 Gone, ce qui signifie que cette URL ne doit plus être appelée'
      : `toutes les livraisons échouent depuis le ${n.failingSince ? when(n.failingSince) : '?'} (plus de 5 jours)`;
  const whyEn =
    n.reason === 'gone'
      ? 'it answered 410 Gone, which means this URL must no longer be called'
      : `every delivery has failed since ${n.failingSince ? when(n.failingSince) : '?'} (over 5 days)`;
  // The partner's own API key of that environment (libs/partners: ca_test_ for staging, ca_live_ for production).
  const key = n.environment === 'staging' ? 'ca_test_…' : 'ca_live_…';
  const enableCall = `curl -X POST ${publicBaseUrlOfTemplates()}/v1/endpoints/${n.endpointId}/enable \\\n  -H "Authorization: Bearer ${key}"`;
  const subject = `${platformName}${env} : endpoint webhook désactivé / webhook endpoint disabled – ${n.endpointUrl}`;
  return {
    subject,
    text: [
      `Bonjour ${n.partnerName},`,
      '',
      `Nous avons désactivé votre endpoint ${n.endpointId} (${n.endpointUrl}) : ${whyFr}.`,
      `${n.backlog} message(s) en attente sont conservés ; ils seront livrés dans l'ordre dès que vous réactiverez l'endpoint.`,
      `Pour le réactiver (portail partenaire ${publicBaseUrlOfTemplates()}/portal/ ou API, avec la clé API de cet environnement) :`,
      '',
      enableCall,
      '',
      `We disabled your endpoint ${n.endpointId} (${n.endpointUrl}): ${whyEn}.`,
      `${n.backlog} waiting message(s) are kept and will be delivered, in order, as soon as you enable the endpoint again.`,
      `To enable it (partner portal ${publicBaseUrlOfTemplates()}/portal/ or the API, with this environment's API key): the call above.`,
    ].join('\n'),
    html: endpointDisabledTemplate().fill({
      subject,
      preview: `${n.endpointUrl}: ${n.backlog} message(s)`,
      partnerName: n.partnerName,
      environment: n.environment,
      endpointId: n.endpointId,
      endpointUrl: n.endpointUrl,
      whyFr,
      whyEn,
      backlog: String(n.backlog),
      enableCall,
      portalUrl: `${publicBaseUrlOfTemplates()}/portal/`,
    }),
  };
}
