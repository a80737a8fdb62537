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

/** Tells the partner one of its webhook endpoints was switched off, why, and that nothing is lost. */
export function endpointDisabledEmailContent(n: EndpointDisabledNotice, platformName: string): { subject: string; text: string } {
  const env = n.environment === 'staging' ? ' [staging]' : '';
  const whyFr =
    n.reason === 'gone'
      ? 'il a répondu 410 Gone, ce qui signifie que cette URL ne doit plus être appelée'
      : `toutes les livraisons échouent depuis le ${n.failingSince ? when(n.failingSince) : '?'} (plus de 5 jours)`;
  const whyEn =
    n.reason === 'gone'
      ? 'it answered 410 Gone, which means this URL must no longer be called'
      : `every delivery has failed since ${n.failingSince ? when(n.failingSince) : '?'} (over 5 days)`;
  return {
    subject: `${platformName}${env} : endpoint webhook désactivé / webhook endpoint disabled – ${n.endpointUrl}`,
    text: [
      `Bonjour ${n.partnerName},`,
      '',
      `Nous avons désactivé votre endpoint ${n.endpointId} (${n.endpointUrl}) : ${whyFr}.`,
      `${n.backlog} message(s) en attente sont conservés ; ils seront livrés dans l'ordre dès que vous réactiverez l'endpoint.`,
      '',
      `We disabled your endpoint ${n.endpointId} (${n.endpointUrl}): ${whyEn}.`,
      `${n.backlog} waiting message(s) are kept and will be delivered, in order, as soon as you enable the endpoint again.`,
    ].join('\n'),
  };
}
