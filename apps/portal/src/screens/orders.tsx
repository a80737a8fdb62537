import { useState } from 'preact/hooks';
import { download, type CreditNote, type Invoice, type List, type Order } from '../api';
import { formatDate, formatMoney, useI18n } from '../i18n';
import { useEnvironment } from '../env';
import { useChange, useGet } from '../queries';
import { Link } from '../router';
import { ErrorAlert, Facts, Loading, Notice, PageTitle } from '../ui';

export function OrderList() {
  const { t, lang } = useI18n();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const orders = useGet<List<Order>>(`/v1/orders?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { refetchInterval: cursor ? false : 5_000 });
  return (
    <section>
      <PageTitle>{t('ord.title')}</PageTitle>
      <ErrorAlert error={orders.error} />
      {orders.isPending && <Loading />}
      {orders.data?.data.length === 0 && <p class="empty">{t('ord.empty')}</p>}
      {orders.data && orders.data.data.length > 0 && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{t('ord.ref')}</th>
              <th scope="col">{t('ord.status')}</th>
              <th scope="col">{t('ord.amount')}</th>
              <th scope="col">{t('ord.customer')}</th>
              <th scope="col">{t('ord.invoice')}</th>
              <th scope="col">{t('ord.created')}</th>
            </tr>
          </thead>
          <tbody>
            {orders.data.data.map((o) => (
              <tr key={o.id} data-testid="order-row" data-order-id={o.id}>
                <td data-label={t('ord.ref')} class="primary-cell">
                  <Link href={`/orders/${encodeURIComponent(o.id)}`}>{o.partner_order_ref ?? o.id}</Link>
                </td>
                <td data-label={t('ord.status')}><OrderStatus status={o.status} /></td>
                <td data-label={t('ord.amount')}>{formatMoney(lang, o.amount_total, o.currency)}</td>
                <td data-label={t('ord.customer')}>{o.customer.name ?? o.customer.email ?? '—'}</td>
                <td data-label={t('ord.invoice')}>{o.invoice?.number ?? '—'}</td>
                <td data-label={t('ord.created')}>{formatDate(lang, o.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        {cursors.length > 0 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>← {t('common.back')}</button>}
        {orders.data?.has_more && orders.data.next_cursor && (
          <button type="button" onClick={() => setCursors([...cursors, orders.data!.next_cursor!])}>{t('common.more')} →</button>
        )}
      </div>
    </section>
  );
}

const ORDER_STATUSES = ['pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded'] as const;

/** The status in the page's language; data-status keeps the API's word for scripts and tests. */
function OrderStatus({ status }: { status: string }) {
  const { t } = useI18n();
  const known = (ORDER_STATUSES as readonly string[]).includes(status);
  const cls = status === 'paid' ? 'badge-ok' : status === 'failed' || status === 'expired' ? 'badge-bad' : status === 'pending' ? 'badge-warn' : 'badge-off';
  return <span class={`badge ${cls}`} data-status={status}>{known ? t(`ord.status.${status as (typeof ORDER_STATUSES)[number]}`) : status}</span>;
}

export function OrderDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  // A pending order turns paid (and gets its invoice) on its own: follow it until it settles.
  const order = useGet<Order>(`/v1/orders/${encodeURIComponent(id)}`, { refetchInterval: (q) => (q.state.data?.status === 'pending' || (q.state.data?.status === 'paid' && !q.state.data.invoice) ? 2_000 : false) });
  const o = order.data;
  return (
    <section>
      <p><Link href="/orders">← {t('ord.title')}</Link></p>
      <PageTitle>{o ? (o.partner_order_ref ?? o.id) : t('ord.title')}</PageTitle>
      <ErrorAlert error={order.error} />
      {order.isPending && <Loading />}
      {o && (
        <>
          <Facts
            items={[
              ['ID', <code>{o.id}</code>],
              [t('ord.status'), <OrderStatus status={o.status} />],
              [t('ord.amount'), formatMoney(lang, o.amount_total, o.currency)],
              ...(o.amount_refunded ? [[t('ord.refunded'), formatMoney(lang, o.amount_refunded, o.currency)] as [string, string]] : []),
              [t('ord.customer'), [o.customer.name, o.customer.email].filter(Boolean).join(' · ') || '—'],
              [t('ord.created'), formatDate(lang, o.created_at)],
              [t('ord.paid_at'), formatDate(lang, o.paid_at)],
            ]}
          />
          <p><Link href={`/messages?order_id=${encodeURIComponent(o.id)}`}>{t('ord.messages')} →</Link></p>
          {o.invoice && <InvoicePanel id={o.invoice.id} />}
          <CreditNotes orderId={o.id} />
        </>
      )}
    </section>
  );
}

function InvoicePanel({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const env = useEnvironment();
  const path = `/v1/invoices/${encodeURIComponent(id)}`;
  const invoice = useGet<Invoice>(path, { refetchInterval: (q) => (q.state.data && !q.state.data.pdf_url ? 2_000 : false) });
  const send = useChange<void, { to: string }>('POST', () => `${path}/send`);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const i = invoice.data;
  return (
    <section aria-labelledby="invoice-title">
      <h2 id="invoice-title">{t('ord.invoice')} {i?.number}</h2>
      <ErrorAlert error={invoice.error ?? send.error ?? downloadError} />
      {i && (
        <>
          <Facts
            items={[
              [t('ord.amount'), formatMoney(lang, i.amount_total, i.currency)],
              [t('ord.issued_at'), formatDate(lang, i.issued_at)],
              [t('ord.invoice.emailed'), formatDate(lang, i.emailed_at)],
            ]}
          />
          <div class="actions">
            {i.pdf_url ? (
              <button type="button" data-testid="invoice-pdf" onClick={() => download(env, `${path}/pdf`, `${i.number}.pdf`).then(() => setDownloadError(null), setDownloadError)}>
                {t('ord.invoice.pdf')}
              </button>
            ) : (
              <span class="muted">{t('ord.invoice.pending')}</span>
            )}
            <button type="button" onClick={() => send.mutate()} disabled={send.isPending}>{t('ord.invoice.send')}</button>
          </div>
          {send.data && <Notice>{t('ord.invoice.sent')} {send.data.to}</Notice>}
        </>
      )}
    </section>
  );
}

function CreditNotes({ orderId }: { orderId: string }) {
  const { t, lang } = useI18n();
  const env = useEnvironment();
  const notes = useGet<List<CreditNote>>(`/v1/orders/${encodeURIComponent(orderId)}/credit-notes`);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  if (!notes.data?.data.length && !notes.error) return null;
  return (
    <section aria-labelledby="cn-title">
      <h2 id="cn-title">{t('ord.credit_notes')}</h2>
      <ErrorAlert error={notes.error ?? downloadError} />
      <ul class="plain">
        {notes.data?.data.map((cn) => (
          <li key={cn.id} data-testid="credit-note">
            <strong>{cn.number}</strong> · {formatMoney(lang, cn.amount_total, cn.currency)} · {formatDate(lang, cn.issued_at)}{' '}
            {cn.pdf_url ? (
              <button type="button" onClick={() => download(env, `/v1/credit-notes/${encodeURIComponent(cn.id)}/pdf`, `${cn.number}.pdf`).then(() => setDownloadError(null), setDownloadError)}>
                {t('ord.credit_note.pdf')}
              </button>
            ) : (
              <span class="muted">{t('ord.invoice.pending')}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
