import type { Attempt } from '../api';
import { formatDate, useI18n } from '../i18n';
import { Link } from '../router';

/** Time, status, duration, the first KiB of the answer and the error of each attempt. */
export function AttemptTable({ attempts, showMessage }: { attempts: Attempt[]; showMessage?: boolean }) {
  const { t, lang } = useI18n();
  return (
    <table class="cards">
      <thead>
        <tr>
          <th scope="col">{t('att.time')}</th>
          {showMessage && <th scope="col">{t('msg.title')}</th>}
          <th scope="col">{t('att.status')}</th>
          <th scope="col">{t('att.duration')}</th>
          <th scope="col">{t('att.body')}</th>
          <th scope="col">{t('att.error')}</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => {
          const ok = a.status_code !== null && a.status_code >= 200 && a.status_code < 300;
          return (
            <tr key={a.id} data-testid="attempt-row" data-status={a.status_code ?? ''}>
              <td data-label={t('att.time')}>{formatDate(lang, a.attempted_at)}</td>
              {showMessage && (
                <td data-label={t('msg.title')}>
                  {a.message_id ? <Link href={`/messages/${encodeURIComponent(a.message_id)}`}><code>{a.message_id}</code></Link> : 'ping'}
                </td>
              )}
              <td data-label={t('att.status')}>
                <span class={`badge ${ok ? 'badge-ok' : 'badge-bad'}`}>{a.status_code ?? '—'}</span>
              </td>
              <td data-label={t('att.duration')}>{a.duration_ms === null ? '—' : `${a.duration_ms} ms`}</td>
              <td data-label={t('att.body')}>{a.response_body ? <pre class="excerpt">{a.response_body.slice(0, 1024)}</pre> : '—'}</td>
              <td data-label={t('att.error')}>{a.error ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
