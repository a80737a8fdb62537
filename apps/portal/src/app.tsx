import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { api, configureApi, logout, readSession, type Environment, type PortalSession } from './api';
import { I18n, initialLang, storeLang, translator, useI18n, type Lang } from './i18n';
import { Link, navigate, useLocation } from './router';
import { Routes } from './routes';
import { EnvContext } from './env';
import { ErrorAlert, Loading } from './ui';

const ENV_KEY = 'comptappart.portal.environment';
/** Tells one session from the next without keeping anything secret in storage. */
const sessionKey = (s: PortalSession) => `${s.partner.id}/${s.expires_at}`;

/** Asked for as soon as the script runs, while the first render happens. */
const firstSession = readSession();
// Handled in App's effect; this keeps a failure that lands before the effect runs from being reported as unhandled.
firstSession.catch(() => {});

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; session: PortalSession }
  | { kind: 'expired' }
  | { kind: 'logged_out' }
  | { kind: 'failed'; error: unknown };

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [environment, setEnvironment] = useState<Environment>('staging');
  const client = useQueryClient();

  // Before paint, in the same commit as the translated text: a screen reader never meets English words
  // on a page still tagged French (a plain effect ran a frame later).
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.title = `ComptAppart · ${i18n.t('app.title')}`;
  }, [lang]);

  useEffect(() => {
    configureApi({ onUnauthenticated: () => setState({ kind: 'expired' }) });
    firstSession.then(
      (session) => {
        if (!session) return setState({ kind: 'expired' });
        // A reload keeps the environment picked in this tab; a new link (a new session) starts in the link's own.
        const [pickedFor, picked] = (sessionStorage.getItem(ENV_KEY) ?? '').split(' ');
        const env = pickedFor === sessionKey(session) && (picked === 'staging' || picked === 'production') ? picked : session.environment;
        configureApi({ csrf: session.csrf_token });
        // The landing page's list is asked for now, not after the next paint when its component mounts.
        if (/^\/portal\/?(endpoints\/?)?$/.test(location.pathname)) {
          void client.prefetchQuery({ queryKey: [env, '/v1/endpoints'], queryFn: () => api(env, 'GET', '/v1/endpoints') });
        }
        setEnvironment(env);
        setState({ kind: 'ready', session });
      },
      (error) => setState({ kind: 'failed', error }),
    );
  }, []);

  useEffect(() => {
    document.body.dataset.environment = state.kind === 'ready' ? environment : '';
  }, [environment, state.kind]);

  const chooseLang = (next: Lang) => {
    storeLang(next);
    setLang(next);
  };

  return (
    <I18n.Provider value={i18n}>
      {state.kind === 'loading' && <Loading />}
      {state.kind === 'failed' && (
        <main id="main" class="page">
          <ErrorAlert error={state.error} />
        </main>
      )}
      {(state.kind === 'expired' || state.kind === 'logged_out') && <SignedOut reason={state.kind} lang={lang} onLang={chooseLang} />}
      {state.kind === 'ready' && (
        <EnvContext.Provider value={environment}>
          <Shell
            session={state.session}
            environment={environment}
            lang={lang}
            onLang={chooseLang}
            onEnvironment={(env) => {
              sessionStorage.setItem(ENV_KEY, `${sessionKey(state.session)} ${env}`);
              setEnvironment(env);
            }}
            onLogout={() => {
              void logout().finally(() => setState({ kind: 'logged_out' }));
            }}
          />
        </EnvContext.Provider>
      )}
    </I18n.Provider>
  );
}

function LangToggle({ lang, onLang }: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t } = useI18n();
  return (
    <div class="lang" role="group" aria-label={t('lang.label')}>
      <button type="button" lang="fr" aria-pressed={lang === 'fr'} onClick={() => onLang('fr')}>FR</button>
      <button type="button" lang="en" aria-pressed={lang === 'en'} onClick={() => onLang('en')}>EN</button>
    </div>
  );
}

function SignedOut({ reason, lang, onLang }: { reason: 'expired' | 'logged_out'; lang: Lang; onLang: (l: Lang) => void }) {
  const { t } = useI18n();
  return (
    <main id="main" class="page narrow" data-testid={reason === 'expired' ? 'session-expired' : 'logged-out'}>
      <LangToggle lang={lang} onLang={onLang} />
      {reason === 'expired' ? (
        <>
          <h1>{t('expired.title')}</h1>
          <p class="alert alert-warn" role="alert">{t('expired.body')}</p>
          <p>{t('expired.hint')}</p>
        </>
      ) : (
        <p class="alert alert-ok" role="status">{t('logged_out')}</p>
      )}
    </main>
  );
}

const SECTIONS = [
  { href: '/endpoints', key: 'nav.endpoints' },
  { href: '/messages', key: 'nav.messages' },
  { href: '/event-types', key: 'nav.events' },
  { href: '/orders', key: 'nav.orders' },
] as const;

function Shell(props: {
  session: PortalSession;
  environment: Environment;
  lang: Lang;
  onLang: (l: Lang) => void;
  onEnvironment: (e: Environment) => void;
  onLogout: () => void;
}) {
  const { t } = useI18n();
  const { path } = useLocation();
  const section = SECTIONS.find((s) => path === s.href || path.startsWith(s.href + '/'))?.href ?? '/endpoints';
  return (
    <>
      <a class="skip" href="#main">{t('app.skip')}</a>
      <header class={`top env-${props.environment}`} data-environment={props.environment}>
        <div class="brand">
          <span class="logo" aria-hidden="true">CA</span>
          <span>
            <span class="partner" data-testid="partner-name">{props.session.partner.name}</span>
            <span class="muted small">{t('app.title')}</span>
          </span>
        </div>
        <div class="env">
          <label for="env-select">{t('env.label')}</label>
          <select
            id="env-select"
            value={props.environment}
            onChange={(e) => {
              // Ids of one environment mean nothing in the other: go back to the section's list. Queries are
              // keyed by environment, so the other one's are read afresh (or from its own cache), never mixed.
              navigate(section);
              props.onEnvironment((e.target as HTMLSelectElement).value as Environment);
            }}
          >
            <option value="staging">staging</option>
            <option value="production">production</option>
          </select>
          <span class={`badge badge-${props.environment}`} data-testid="environment-badge">
            {props.environment}
            {props.environment === 'staging' ? ` · ${t('env.staging.note')}` : ''}
          </span>
        </div>
        <div class="tools">
          <LangToggle lang={props.lang} onLang={props.onLang} />
          <button type="button" onClick={props.onLogout}>{t('logout')}</button>
        </div>
      </header>
      <nav class="main-nav" aria-label={t('nav.label')}>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.href}>
              <Link href={s.href} aria-current={section === s.href ? 'page' : undefined}>{t(s.key)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="page">
        <Routes />
      </main>
    </>
  );
}
