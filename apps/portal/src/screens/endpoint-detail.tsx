import { useState } from 'preact/hooks';
import type { Attempt, Endpoint, EndpointStats, List } from '../api';
import { formatDate, formatRate, useI18n } from '../i18n';
import { useChange, useGet } from '../queries';
import { Link, navigate } from '../router';
import { ConfirmButton, CopyButton, ErrorAlert, Facts, Loading, Notice, PageTitle } from '../ui';
import { AttemptTable } from './attempts';
import { Recover } from './recover';
import { CircuitBadge, StatusBadge } from './endpoints';

export function EndpointDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const path = `/v1/endpoints/${encodeURIComponent(id)}`;
  const endpoint = useGet<Endpoint & { stats: EndpointStats }>(path, { refetchInterval: 10_000 });
  const disable = useChange<void, Endpoint>('POST', () => `${path}/disable`);
  const enable = useChange<void, Endpoint>('POST', () => `${path}/enable`);
  const remove = useChange<void, void>('DELETE', () => path);
  const e = endpoint.data;
  const s = e?.stats;
  return (
    <section>
      <p><Link href="/endpoints">← {t('ep.title')}</Link></p>
      <PageTitle>{e ? e.url : t('ep.title')}</PageTitle>
      <ErrorAlert error={endpoint.error ?? disable.error ?? enable.error ?? remove.error} />
      {endpoint.isPending && <Loading />}
      {e && s && (
        <>
          <div class="actions">
            <Link href={`/endpoints/${encodeURIComponent(id)}/edit`} class="button">{t('ep.edit')}</Link>
            {e.enabled ? (
              <ConfirmButton label={t('ep.disable')} question={t('ep.disable.confirm')} onConfirm={() => disable.mutate()} disabled={disable.isPending} />
            ) : (
              <button type="button" onClick={() => enable.mutate()} disabled={enable.isPending}>{t('ep.enable')}</button>
            )}
            <ConfirmButton
              danger
              label={t('ep.delete')}
              question={t('ep.delete.confirm')}
              disabled={remove.isPending}
              onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate('/endpoints') })}
            />
          </div>
          <Facts
            items={[
              ['ID', <code>{e.id}</code>],
              [t('ep.status'), <StatusBadge enabled={e.enabled} />],
              ...(s.disabled_reason ? [[t('ep.disabled_reason'), t(`ep.reason.${s.disabled_reason}`)] as [string, string]] : []),
              [t('ep.description'), e.description ?? t('common.none')],
              [t('ep.event_types'), e.event_types.length ? e.event_types.join(', ') : '*'],
              [t('ep.rate_limit'), e.rate_limit_per_second ?? '∞'],
              [t('ep.max_in_flight'), e.max_in_flight],
            ]}
          />
          <h2>{t('ep.health')}</h2>
          <Facts
            items={[
              [t('ep.rate1h'), `${formatRate(s.last_hour.success_rate)} (${s.last_hour.succeeded}/${s.last_hour.attempts})`],
              [t('ep.rate24h'), `${formatRate(s.last_day.success_rate)} (${s.last_day.succeeded}/${s.last_day.attempts})`],
              [t('ep.backlog'), s.backlog],
              [t('ep.in_flight'), s.in_flight],
              [t('ep.failed'), s.failed],
              [t('ep.circuit'), <><CircuitBadge state={s.circuit_state} />{s.circuit_retry_at ? ` → ${formatDate(lang, s.circuit_retry_at)}` : ''}</>],
              [t('ep.last_success'), formatDate(lang, s.last_success_at)],
              [t('ep.last_failure'), formatDate(lang, s.last_failure_at)],
            ]}
          />
          <Secret path={path} />
          <Ping path={path} />
          <Recover endpointId={id} />
          <RecentAttempts path={path} />
        </>
      )}
    </section>
  );
}

interface SecretAnswer { secret: string; previous_secret_expires_at?: string }

function Secret({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const [shown, setShown] = useState(false);
  const secret = useGet<SecretAnswer>(shown ? `${path}/secret` : null, { staleTime: 0, gcTime: 0 });
  const rotate = useChange<void, SecretAnswer>('POST', () => `${path}/rotate-secret`);
  return (
    <section aria-labelledby="secret-title">
      <h2 id="secret-title">{t('secret.title')}</h2>
      <p class="muted">{t('secret.overlap')}</p>
      <ErrorAlert error={secret.error ?? rotate.error} />
      <div class="actions">
        <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>{shown ? t('secret.hide') : t('secret.reveal')}</button>
        <ConfirmButton label={t('secret.rotate')} question={t('secret.rotate.confirm')} onConfirm={() => rotate.mutate(undefined, { onSuccess: () => setShown(true) })} disabled={rotate.isPending} />
      </div>
      {rotate.data?.previous_secret_expires_at && (
        <Notice>{t('secret.rotated')} {formatDate(lang, rotate.data.previous_secret_expires_at)}.</Notice>
      )}
      {shown && secret.data && (
        <p class="secret"><code data-testid="endpoint-secret">{secret.data.secret}</code> <CopyButton text={secret.data.secret} /></p>
      )}
    </section>
  );
}

function Ping({ path }: { path: string }) {
  const { t } = useI18n();
  const ping = useChange<void, Attempt>('POST', () => `${path}/test`);
  return (
    <section aria-labelledby="ping-title">
      <h2 id="ping-title">{t('ping.title')}</h2>
      <button type="button" onClick={() => ping.mutate()} disabled={ping.isPending} data-testid="send-ping">{t('ping.send')}</button>
      <ErrorAlert error={ping.error} />
      {ping.data && (
        <div role="status" data-testid="ping-result">
          <h3>{t('ping.result')}</h3>
          <AttemptTable attempts={[ping.data]} />
        </div>
      )}
    </section>
  );
}

function RecentAttempts({ path }: { path: string }) {
  const { t } = useI18n();
  // Recovered or resent deliveries show up here within seconds.
  const attempts = useGet<List<Attempt>>(`${path}/attempts?limit=20`, { refetchInterval: 3_000 });
  return (
    <section aria-labelledby="attempts-title">
      <h2 id="attempts-title">{t('att.title')}</h2>
      <ErrorAlert error={attempts.error} />
      {attempts.data && (attempts.data.data.length ? <AttemptTable attempts={attempts.data.data} showMessage /> : <p class="empty">{t('msg.no_attempt')}</p>)}
    </section>
  );
}
