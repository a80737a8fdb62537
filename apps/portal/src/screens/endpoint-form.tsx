import { useEffect, useState } from 'preact/hooks';
import type { Endpoint } from '../api';
import { useI18n } from '../i18n';
import { useChange, useEventTypes, useGet } from '../queries';
import { Link, navigate } from '../router';
import { CopyButton, ErrorAlert, Loading, PageTitle } from '../ui';

interface Draft { url: string; description: string; event_types: string[]; rate: string; max_in_flight: string }

const emptyDraft: Draft = { url: '', description: '', event_types: [], rate: '', max_in_flight: '' };

/** What the API is sent: a blank limit means "no limit" for the rate and "leave as is" for in-flight. */
function bodyOf(d: Draft, editing: boolean) {
  const body: Record<string, unknown> = { url: d.url.trim(), description: d.description.trim() || null, event_types: d.event_types };
  if (d.rate.trim() !== '') body.rate_limit_per_second = Number(d.rate);
  else if (editing) body.rate_limit_per_second = null;
  if (d.max_in_flight.trim() !== '') body.max_in_flight = Number(d.max_in_flight);
  return body;
}

export function EndpointForm({ id }: { id?: string }) {
  const { t } = useI18n();
  const editing = id !== undefined;
  const existing = useGet<Endpoint>(editing ? `/v1/endpoints/${encodeURIComponent(id)}` : null);
  const types = useEventTypes();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [created, setCreated] = useState<(Endpoint & { secret: string }) | null>(null);

  useEffect(() => {
    const e = existing.data;
    if (e) setDraft({ url: e.url, description: e.description ?? '', event_types: e.event_types, rate: e.rate_limit_per_second?.toString() ?? '', max_in_flight: String(e.max_in_flight) });
  }, [existing.data]);

  const save = useChange<Draft, Endpoint & { secret: string }>(
    editing ? 'PATCH' : 'POST',
    () => (editing ? `/v1/endpoints/${encodeURIComponent(id)}` : '/v1/endpoints'),
    (d) => bodyOf(d, editing),
  );

  if (created) {
    return (
      <section>
        <PageTitle>{t('ep.new')}</PageTitle>
        <p class="alert alert-ok" role="status">{t('ep.created')}</p>
        <p class="secret"><code data-testid="endpoint-secret">{created.secret}</code> <CopyButton text={created.secret} /></p>
        <p class="muted">{t('secret.overlap')}</p>
        <Link href={`/endpoints/${encodeURIComponent(created.id)}`} class="button primary">{t('ep.open')}</Link>
      </section>
    );
  }

  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const toggle = (type: string, on: boolean) => set({ event_types: on ? [...draft.event_types, type] : draft.event_types.filter((x) => x !== type) });

  return (
    <section>
      <PageTitle>{editing ? `${t('ep.edit')} — ${existing.data?.url ?? ''}` : t('ep.new')}</PageTitle>
      <ErrorAlert error={existing.error} />
      {editing && existing.isPending ? <Loading /> : (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft, {
              onSuccess: (ep) => (editing ? navigate(`/endpoints/${encodeURIComponent(id)}`) : setCreated(ep)),
            });
          }}
        >
          <ErrorAlert error={save.error} />
          <div class="field">
            <label for="ep-url">{t('ep.url')}</label>
            <input id="ep-url" type="url" required inputMode="url" placeholder="https://example.com/webhooks/comptappart" value={draft.url} onInput={(e) => set({ url: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="ep-description">{t('ep.description')}</label>
            <input id="ep-description" maxLength={500} value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} />
          </div>
          <fieldset class="field">
            <legend>{t('ep.event_types')}</legend>
            <p class="muted small" id="ep-types-hint">{t('ep.event_types.hint')}</p>
            <ErrorAlert error={types.error} />
            <div class="checks">
              {types.data?.data.map((et) => (
                <label key={et.type} class="check">
                  <input type="checkbox" checked={draft.event_types.includes(et.type)} onChange={(e) => toggle(et.type, e.currentTarget.checked)} />
                  <code>{et.type}</code>
                </label>
              ))}
            </div>
          </fieldset>
          <div class="field-row">
            <div class="field">
              <label for="ep-rate">{t('ep.rate_limit')}</label>
              <input id="ep-rate" type="number" min="0.1" max="10000" step="0.1" inputMode="decimal" aria-describedby="ep-rate-hint" value={draft.rate} onInput={(e) => set({ rate: e.currentTarget.value })} />
              <p class="muted small" id="ep-rate-hint">{t('ep.rate_limit.hint')}</p>
            </div>
            <div class="field">
              <label for="ep-inflight">{t('ep.max_in_flight')}</label>
              <input id="ep-inflight" type="number" min="1" max="1000" step="1" inputMode="numeric" aria-describedby="ep-inflight-hint" value={draft.max_in_flight} onInput={(e) => set({ max_in_flight: e.currentTarget.value })} />
              <p class="muted small" id="ep-inflight-hint">{t('ep.max_in_flight.hint')}</p>
            </div>
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={save.isPending}>{editing ? t('common.save') : t('ep.create')}</button>
            <Link href={editing ? `/endpoints/${encodeURIComponent(id)}` : '/endpoints'} class="button">{t('common.cancel')}</Link>
          </div>
        </form>
      )}
    </section>
  );
}
