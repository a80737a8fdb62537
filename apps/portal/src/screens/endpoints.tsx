import type { Endpoint, EndpointStats, List } from '../api';
import { formatDate, formatRate, useI18n } from '../i18n';
import { useGet } from '../queries';
import { Link } from '../router';
import { ErrorAlert, Loading, PageTitle } from '../ui';

export function EndpointList() {
  const { t } = useI18n();
  const endpoints = useGet<List<Endpoint>>('/v1/endpoints');
  return (
    <section>
      <div class="title-row">
        <PageTitle>{t('ep.title')}</PageTitle>
        <Link href="/endpoints/new" class="button primary" data-testid="new-endpoint">{t('ep.new')}</Link>
      </div>
      <ErrorAlert error={endpoints.error} />
      {endpoints.isPending && <Loading />}
      {endpoints.data?.data.length === 0 && <p class="empty">{t('ep.empty')}</p>}
      {endpoints.data && endpoints.data.data.length > 0 && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{t('ep.url')}</th>
              <th scope="col">{t('ep.status')}</th>
              <th scope="col">{t('ep.rate1h')}</th>
              <th scope="col">{t('ep.rate24h')}</th>
              <th scope="col">{t('ep.backlog')}</th>
              <th scope="col">{t('ep.circuit')}</th>
              <th scope="col">{t('ep.last_success')}</th>
              <th scope="col">{t('ep.last_failure')}</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.data.map((e) => (
              <EndpointRow key={e.id} endpoint={e} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Each row reads its own health, so one slow endpoint does not hold up the list. */
function EndpointRow({ endpoint: e }: { endpoint: Endpoint }) {
  const { t, lang } = useI18n();
  const stats = useGet<EndpointStats>(`/v1/endpoints/${encodeURIComponent(e.id)}/stats`, { refetchInterval: 10_000 });
  const s = stats.data;
  return (
    <tr data-testid="endpoint-row" data-endpoint-id={e.id}>
      <td data-label={t('ep.url')} class="primary-cell">
        <Link href={`/endpoints/${encodeURIComponent(e.id)}`}>{e.url}</Link>
        {e.description ? <div class="muted small">{e.description}</div> : null}
      </td>
      <td data-label={t('ep.status')}>
        <StatusBadge enabled={e.enabled} />
      </td>
      <td data-label={t('ep.rate1h')}>{s ? formatRate(s.last_hour.success_rate) : '…'}</td>
      <td data-label={t('ep.rate24h')}>{s ? formatRate(s.last_day.success_rate) : '…'}</td>
      <td data-label={t('ep.backlog')}>{s ? s.backlog : '…'}</td>
      <td data-label={t('ep.circuit')}>{s ? <CircuitBadge state={s.circuit_state} /> : '…'}</td>
      <td data-label={t('ep.last_success')}>{s ? formatDate(lang, s.last_success_at) : '…'}</td>
      <td data-label={t('ep.last_failure')}>{s ? formatDate(lang, s.last_failure_at) : '…'}</td>
    </tr>
  );
}

export function StatusBadge({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  return <span class={`badge ${enabled ? 'badge-ok' : 'badge-off'}`}>{enabled ? t('ep.enabled') : t('ep.disabled')}</span>;
}

export function CircuitBadge({ state }: { state: EndpointStats['circuit_state'] }) {
  const { t } = useI18n();
  const cls = state === 'closed' ? 'badge-ok' : state === 'open' ? 'badge-bad' : 'badge-warn';
  return <span class={`badge ${cls}`}>{t(`ep.circuit.${state}`)}</span>;
}
