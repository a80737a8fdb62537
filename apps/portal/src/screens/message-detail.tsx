import { useEffect, useRef } from 'preact/hooks';
import type { Attempt, Endpoint, List, Message } from '../api';
import { formatDate, useI18n } from '../i18n';
import { useChange, useGet } from '../queries';
import { Link } from '../router';
import { ErrorAlert, Facts, Json, Loading, Notice, PageTitle } from '../ui';
import { AttemptTable } from './attempts';

/** While a delivery waits or retries, the page follows it every 2 seconds; once all are settled it stops asking. */
const LIVE_MS = 2_000;
const live = (m: Message | undefined) => (m?.deliveries ?? []).some((d) => d.status === 'pending');

export function MessageDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const path = `/v1/messages/${encodeURIComponent(id)}`;
  const message = useGet<Message>(path, { refetchInterval: (q) => (live(q.state.data) ? LIVE_MS : false) });
  const following = live(message.data);
  const attempts = useGet<List<Attempt>>(`${path}/attempts`, { refetchInterval: following ? LIVE_MS : false });
  // The two polls run on their own timers: when the message poll is the one that sees the last delivery settle, the
  // attempts list may date from just before the final attempt. Its status and that attempt commit together, so one
  // more read once the page stops following shows every attempt.
  const wasFollowing = useRef(following);
  useEffect(() => {
    if (wasFollowing.current && !following) void attempts.refetch();
    wasFollowing.current = following;
  }, [following]);
  const endpoints = useGet<List<Endpoint>>('/v1/endpoints');
  const resend = useChange<string | undefined, { scheduled: number }>('POST', () => `${path}/resend`, (endpoint_id) => (endpoint_id ? { endpoint_id } : {}));
  const m = message.data;
  const urlOf = (endpointId: string) => endpoints.data?.data.find((e) => e.id === endpointId)?.url ?? endpointId;

  return (
    <section>
      <p><Link href="/messages">← {t('msg.title')}</Link></p>
      <PageTitle>{m ? m.type : t('msg.title')}</PageTitle>
      <ErrorAlert error={message.error ?? resend.error} />
      {message.isPending && <Loading />}
      {m && (
        <>
          <Facts
            items={[
              ['ID', <code>{m.id}</code>],
              [t('msg.created'), formatDate(lang, m.created_at)],
              [t('msg.order'), m.order_id ? <Link href={`/orders/${encodeURIComponent(m.order_id)}`}><code>{m.order_id}</code></Link> : '—'],
            ]}
          />
          <div class="actions">
            <button type="button" onClick={() => resend.mutate(undefined)} disabled={resend.isPending} data-testid="resend-all">{t('msg.resend_all')}</button>
          </div>
          {resend.data && <Notice>{t('msg.resent')} <strong>{resend.data.scheduled}</strong></Notice>}
          <h2>{t('msg.attempts')}</h2>
          {following && <p class="muted small" role="status" data-testid="live">{t('msg.live')}</p>}
          <ErrorAlert error={attempts.error} />
          {(m.deliveries ?? []).map((d) => {
            const own = attempts.data?.data.filter((a) => a.endpoint_id === d.endpoint_id) ?? [];
            return (
              <section key={d.endpoint_id} class="delivery" data-testid="delivery" data-status={d.status} aria-label={urlOf(d.endpoint_id)}>
                <h3>
                  <Link href={`/endpoints/${encodeURIComponent(d.endpoint_id)}`}>{urlOf(d.endpoint_id)}</Link>{' '}
                  <span class={`badge ${d.status === 'delivered' ? 'badge-ok' : d.status === 'failed' ? 'badge-bad' : 'badge-warn'}`}>{t(`dl.status.${d.status}` as 'dl.status.pending') ?? d.status}</span>
                </h3>
                {d.next_attempt_at && <p class="muted small">{t('msg.next_attempt')}{lang === 'fr' ? ' : ' : ': '}{formatDate(lang, d.next_attempt_at)}</p>}
                {own.length ? <AttemptTable attempts={own} /> : <p class="empty">{t('msg.no_attempt')}</p>}
                <button type="button" onClick={() => resend.mutate(d.endpoint_id)} disabled={resend.isPending}>{t('msg.resend_one')}</button>
              </section>
            );
          })}
          <h2>{t('msg.payload')}</h2>
          <Json value={m.payload} label={t('msg.payload')} />
        </>
      )}
    </section>
  );
}
