import { partnerEventJsonSchemas, PARTNER_EVENT_TYPES, PartnerEventType } from '@app/webhooks';
import { eventExample } from './event-example.util';

/**
 * What each event type means, in French and English. The same sentences as the partner docs' webhook reference
 * (docs-site/scripts/lib/labels.js, knownEvents); test/portal-event-types.e2e-spec.ts fails when the two differ or
 * when an event type has none.
 */
export const EVENT_DESCRIPTIONS: Record<PartnerEventType, { fr: string; en: string }> = {
  'order.paid': {
    fr: "La commande est payée : le paiement est confirmé par Stripe et le numéro de facture est attribué. Aussi pour chaque période payée d'un abonnement (`subscription` renseigné).",
    en: 'The order is paid: Stripe confirmed the payment and the invoice number is allocated. Also sent for every paid period of a subscription (`subscription` set).',
  },
  'order.payment_failed': {
    fr: "Le paiement a échoué (carte refusée, authentification demandée par la banque, prélèvement SEPA rejeté…) ; la commande passe en `failed`. `next_action` dit s'il faut faire revenir le client.",
    en: 'The payment failed (card declined, the bank asked for authentication, SEPA debit rejected…); the order becomes `failed`. `next_action` says whether to bring the customer back.',
  },
  'order.expired': {
    fr: 'La session de paiement a expiré sans paiement ; la commande passe en `expired`.',
    en: 'The checkout session expired unpaid; the order becomes `expired`.',
  },
  'invoice.issued': {
    fr: 'Le PDF de la facture est généré, stocké et envoyé au client ; `pdf_url` le télécharge avec votre clé API.',
    en: 'The invoice PDF is rendered, stored and emailed to the customer; `pdf_url` downloads it with your API key.',
  },
  'order.refunded': {
    fr: "Un remboursement (total ou partiel) a été enregistré : le nouvel état de la commande et l'avoir qui le documente.",
    en: "A full or partial refund was recorded: the order's new state and the credit note that documents it.",
  },
  'credit_note.issued': {
    fr: "Le PDF de l'avoir est généré, stocké et envoyé au client ; `pdf_url` le télécharge avec votre clé API.",
    en: 'The credit note PDF is rendered, stored and emailed to the customer; `pdf_url` downloads it with your API key.',
  },
  ping: {
    fr: 'Message de test envoyé à la demande (`POST /v1/endpoints/:id/test`).',
    en: 'A test message sent on request (`POST /v1/endpoints/:id/test`).',
  },
  'message.attempt.exhausted': {
    fr: "Un message n'a pas pu être livré à l'un de vos endpoints après toutes les tentatives.",
    en: 'A message could not be delivered to one of your endpoints after every attempt.',
  },
  'customer.payment_method_saved': {
    fr: 'Le client a enregistré une carte (session Checkout en mode `setup`) : elle sera débitée par `POST /v1/customers/:id/charges`. Envoyé une fois par carte enregistrée.',
    en: 'The customer saved a card (a `setup` mode Checkout session): `POST /v1/customers/:id/charges` will charge it. Sent once per saved card.',
  },
  'subscription.updated': {
    fr: 'Un abonnement a changé : état (`active`, `past_due`…), période en cours, ou résiliation programmée en fin de période (`cancel_at_period_end`).',
    en: 'A subscription changed: its status (`active`, `past_due`…), its current period, or a cancellation scheduled for the end of the period (`cancel_at_period_end`).',
  },
  'subscription.canceled': {
    fr: 'Un abonnement est terminé : résilié immédiatement, arrivé à la fin de la période après une résiliation programmée, ou arrêté par Stripe après des échecs de paiement.',
    en: 'A subscription ended: canceled now, reached the end of its period after a scheduled cancellation, or stopped by Stripe after failed payments.',
  },
  'subscription.payment_failed': {
    fr: "Le paiement d'une période d'abonnement a échoué ; Stripe réessaie selon son calendrier (`next_payment_attempt`). Aucune commande ni facture pour cette tentative.",
    en: 'The payment of a subscription period failed; Stripe retries on its own schedule (`next_payment_attempt`). No order and no invoice for that attempt.',
  },
};

export interface EventTypeView {
  type: PartnerEventType;
  description: string;
  descriptions: { fr: string; en: string };
  schema: unknown;
  example: unknown;
}

/** Every event type, its JSON Schema (the envelope partners receive) and an example; built once, it never changes. */
export function eventTypeCatalogue(): EventTypeView[] {
  const schemas = partnerEventJsonSchemas() as Record<PartnerEventType, Record<string, unknown>>;
  return PARTNER_EVENT_TYPES.map((type) => ({
    type,
    description: EVENT_DESCRIPTIONS[type].en,
    descriptions: EVENT_DESCRIPTIONS[type],
    schema: schemas[type],
    example: eventExample(schemas[type], type),
  }));
}
