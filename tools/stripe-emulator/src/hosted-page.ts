import { SessionRecord } from './emulator-store';
import { parseFormBody } from './form-body';
import { HttpResult } from './http-io';

/** What the hosted page needs from the emulator: the session, and the customer's two possible answers. */
export interface HostedCheckout {
  findSession(id: string): SessionRecord;
  pay(id: string): Promise<unknown>;
  /** Resolves to the decline message shown to the customer. */
  decline(id: string): Promise<string>;
}

const HOSTED_UI_MODES = new Set(['hosted', 'hosted_page']);

/**
 * GET /pay/:id shows the session; POST /pay/:id is the customer pressing a button. Paying completes the session (and
 * sends its webhooks) before redirecting to success_url, as Checkout does.
 */
export async function handlePayPage(method: string, id: string, body: string, checkout: HostedCheckout): Promise<HttpResult> {
  let record: SessionRecord;
  try {
    record = checkout.findSession(id);
  } catch {
    return html(404, page('Session introuvable', '<p>Cette session de paiement n’existe pas.</p>'));
  }
  if (!HOSTED_UI_MODES.has(record.session.ui_mode)) {
    return html(404, page('Session introuvable', '<p>Cette session se paie dans la page du marchand, pas ici.</p>'));
  }
  if (method === 'GET') return html(200, renderSession(record));
  if (method !== 'POST') return html(405, page('Méthode non permise', ''));

  const { session } = record;
  if (session.status === 'expired') return html(410, renderSession(record));
  if (session.status === 'open') {
    if (parseFormBody(body).action === 'decline') {
      return html(200, renderSession(record, await checkout.decline(id)));
    }
    await checkout.pay(id);
  }
  // Also reached on a second submit of a paid session: the customer lands on the merchant's page again.
  const location = (session.success_url ?? '').replace(/\{CHECKOUT_SESSION_ID\}/g, session.id);
  return { status: 303, headers: { location, 'content-type': 'text/plain' }, body: `Redirecting to ${location}` };
}

function renderSession(record: SessionRecord, declined?: string): string {
  const { session, lineItems } = record;
  const money = (amount: number) => formatAmount(amount, session.currency ?? 'eur', session.locale);
  const lines = lineItems
    .map(
      (line) =>
        `<tr><td>${escape(line.description)} × ${line.quantity}</td>` +
        `<td class="amount">${money(line.amount_total)}</td></tr>`,
    )
    .join('');
  const total = `<tr class="total"><td>Total</td><td class="amount">${money(session.amount_total ?? 0)}</td></tr>`;
  const actions =
    session.status === 'open'
      ? `<form method="post"><button name="action" value="pay">Payer ${money(session.amount_total ?? 0)}</button>` +
        '<button name="action" value="decline" class="secondary">Simuler un refus de carte</button></form>' +
        (session.cancel_url ? `<p><a href="${escape(session.cancel_url)}">Annuler et revenir</a></p>` : '')
      : `<p class="status">${session.status === 'complete' ? 'Paiement effectué.' : 'Cette session a expiré.'}</p>`;
  return page(
    'Paiement',
    `<p class="muted">Émulateur Stripe — ${escape(session.id)}</p>` +
      (declined ? `<p class="error">${escape(declined)}</p>` : '') +
      `<table>${lines}${total}</table>${actions}`,
  );
}

function formatAmount(amount: number, currency: string, locale: string | null): string {
  const tag = locale && locale !== 'auto' ? locale : 'fr-FR';
  const format = new Intl.NumberFormat(tag, { style: 'currency', currency: currency.toUpperCase() });
  // Amounts are in the currency's smallest unit: cents for EUR, whole yen for JPY.
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

function page(title: string, content: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;color:#1a1f36}
table{width:100%;border-collapse:collapse;margin:1rem 0}td{padding:.4rem 0;border-bottom:1px solid #e3e8ee}
.amount{text-align:right}.total td{font-weight:600}.muted{color:#697386;font-size:.8rem}.error{color:#cd3d64}
button{display:block;width:100%;padding:.7rem;margin:.4rem 0;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:1rem}
button.secondary{background:#e3e8ee;color:#1a1f36}</style></head>
<body><h1>${escape(title)}</h1>${content}</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function html(status: number, body: string): HttpResult {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}
