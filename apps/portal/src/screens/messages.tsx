import { useState } from 'preact/hooks';
import { query, type List, type Message } from '../api';
import { formatDate, useI18n } from '../i18n';
import { useEventTypes, useGet } from '../queries';
import { Link, navigate, useLocation } from '../router';
import { ErrorAlert, Loading, PageTitle } from '../ui';
import { Recover, toIso } from './recover';

const LIST_REFRESH_MS = 3_000;
const FILTERS = ['type', 'order_id', 'created_after', 'created_before'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;


export function MessageList() {
  const { t, lang } = useI18n();
  const { search } = useLocation();
  // The search lives in the address, so a result can be bookmarked, shared and gone back to.
  const applied = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(applied);
  const [cursors, setCursors] = useState<string[]>([]);
  const types = useEventTypes();
  const cursor = cursors[cursors.length - 1];
  const messages = useGet<List<Message>>(
    '/v1/messages' +
      query({ type: applied.type, order_id: applied.order_id, created_after: toIso(applied.created_after), created_before: toIso(applied.created_before), limit: 25, cursor }),
    // New messages appear on the first page by themselves (a payment made in another tab, say); later pages hold still.
    { refetchInterval: cursor ? false : LIST_REFRESH_MS },
  );

  const apply = (f: Filters) => {
    setCursors([]);
    navigate('/messages' + query(f));
  };

  return (
    <section>
      <PageTitle>{t('msg.title')}</PageTitle>
      <form
        class="form filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <div class="field">
          <label for="f-type">{t('msg.type')}</label>
          <select id="f-type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.currentTarget.value })}>
            <option value="">{t('msg.any_type')}</option>
            {types.data?.data.map((et) => <option key={et.type} value={et.type}>{et.type}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-order">{t('msg.order_id')}</label>
          <input id="f-order" value={draft.order_id} onInput={(e) => setDraft({ ...draft, order_id: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="f-after">{t('msg.after')}</label>
          <input id="f-after" type="datetime-local" value={draft.created_after} onInput={(e) => setDraft({ ...draft, created_after: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="f-before">{t('msg.before')}</label>
          <input id="f-before" type="datetime-local" value={draft.created_before} onInput={(e) => setDraft({ ...draft, created_before: e.currentTarget.value })} />
        </div>
        <div class="actions">
          <button type="submit" class="primary">{t('common.search')}</button>
          <button
            type="button"
            onClick={() => {
              const empty = { type: '', order_id: '', created_after: '', created_before: '' };
              setDraft(empty);
              apply(empty);
            }}
          >
            {t('common.reset')}
          </button>
        </div>
      </form>
      <ErrorAlert error={messages.error} />
      {messages.isPending && <Loading />}
      {messages.data?.data.length === 0 && <p class="empty">{t('msg.empty')}</p>}
      {messages.data && messages.data.data.length > 0 && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{t('msg.type')}</th>
              <th scope="col">{t('msg.order')}</th>
              <th scope="col">{t('msg.created')}</th>
              <th scope="col">ID</th>
            </tr>
          </thead>
          <tbody>
            {messages.data.data.map((m) => (
              <tr key={m.id} data-testid="message-row" data-message-type={m.type}>
                <td data-label={t('msg.type')} class="primary-cell">
                  <Link href={`/messages/${encodeURIComponent(m.id)}`}><code>{m.type}</code></Link>
                </td>
                <td data-label={t('msg.order')}>
                  {m.order_id ? <Link href={`/orders/${encodeURIComponent(m.order_id)}`}><code>{m.order_id}</code></Link> : '—'}
                </td>
                <td data-label={t('msg.created')}>{formatDate(lang, m.created_at)}</td>
                <td data-label="ID"><code class="small">{m.id}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        {cursors.length > 0 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>← {t('common.back')}</button>}
        {messages.data?.has_more && messages.data.next_cursor && (
          <button type="button" onClick={() => setCursors([...cursors, messages.data!.next_cursor!])}>{t('common.more')} →</button>
        )}
      </div>
      <Recover />
    </section>
  );
}
