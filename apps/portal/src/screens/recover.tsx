import { useState } from 'preact/hooks';
import type { Endpoint, List } from '../api';
import { useI18n } from '../i18n';
import { useChange, useGet } from '../queries';
import { ErrorAlert, Notice } from '../ui';

/** The browser's offset from UTC now, e.g. "+01:00". */
function utcOffset(): string {
  const minutes = -new Date().getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A datetime-local value is local time; the API wants an instant. */
export const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/**
 * Re-sends every message whose delivery to one endpoint failed in a time window. On an endpoint's page
 * the endpoint is given; on the messages page the partner picks it.
 */
export function Recover({ endpointId }: { endpointId?: string }) {
  const { t } = useI18n();
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [picked, setPicked] = useState('');
  const endpoints = useGet<List<Endpoint>>(endpointId ? null : '/v1/endpoints');
  const target = endpointId ?? (picked || endpoints.data?.data[0]?.id || '');
  const recover = useChange<void, { scheduled: number }>(
    'POST',
    () => `/v1/endpoints/${encodeURIComponent(target)}/recover`,
    () => ({ since: toIso(since), until: toIso(until) }),
  );
  return (
    <section aria-labelledby="recover-title">
      <h2 id="recover-title">{t('recover.title')}</h2>
      <p class="muted">{t('recover.hint')}</p>
      <form
        class="form inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (target) recover.mutate();
        }}
      >
        {!endpointId && (
          <div class="field">
            <label for="recover-endpoint">{t('att.endpoint')}</label>
            <select id="recover-endpoint" required value={target} onChange={(e) => setPicked(e.currentTarget.value)}>
              {endpoints.data?.data.map((ep) => <option key={ep.id} value={ep.id}>{ep.url}</option>)}
            </select>
          </div>
        )}
        <div class="field">
          <label for="recover-since">{t('recover.since')}</label>
          <input id="recover-since" type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="recover-until">{t('recover.until')}</label>
          <input id="recover-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={recover.isPending || !target}>{t('recover.submit')}</button>
        <p class="muted small full">{t('recover.local_time')} (UTC{utcOffset()})</p>
      </form>
      <ErrorAlert error={recover.error ?? endpoints.error} />
      {recover.data && <Notice>{t('recover.done')} <strong data-testid="recover-scheduled">{recover.data.scheduled}</strong></Notice>}
    </section>
  );
}
