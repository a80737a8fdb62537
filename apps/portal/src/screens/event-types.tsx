import { useI18n } from '../i18n';
import { useEventTypes } from '../queries';
import { Link } from '../router';
import { ErrorAlert, Json, Loading, PageTitle } from '../ui';

/** The catalogue comes from GET /v1/event-types: the same schemas the code validates with and the docs show. */
export function EventTypes() {
  const { t, lang } = useI18n();
  const types = useEventTypes();
  return (
    <section>
      <PageTitle>{t('ev.title')}</PageTitle>
      <ErrorAlert error={types.error} />
      {types.isPending && <Loading />}
      {types.data && (
        <ul class="toc">
          {types.data.data.map((et) => (
            <li key={et.type}><a href={`#ev-${et.type}`}><code>{et.type}</code></a></li>
          ))}
        </ul>
      )}
      {types.data?.data.map((et) => (
        <article key={et.type} id={`ev-${et.type}`} class="event-type" data-testid="event-type">
          <h2><code>{et.type}</code></h2>
          <p>{withCode(et.descriptions?.[lang] ?? et.description)}</p>
          <p><Link href={`/messages?type=${encodeURIComponent(et.type)}`}>{t('msg.title')} →</Link></p>
          <details open>
            <summary>{t('ev.example')}</summary>
            <Json value={et.example} label={`${t('ev.example')} ${et.type}`} />
          </details>
          <details>
            <summary>{t('ev.schema')}</summary>
            <Json value={et.schema} label={`${t('ev.schema')} ${et.type}`} />
          </details>
        </article>
      ))}
    </section>
  );
}

/** The catalogue writes field names between backticks, as the docs do. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}
