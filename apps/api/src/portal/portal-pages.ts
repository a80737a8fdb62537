import { createHash } from 'node:crypto';
import { ERROR_CATALOGUE, ErrorCode } from '@app/errors';

/** The one stylesheet of these pages, allowed by its hash: nothing else inline may run or style. */
const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}code{background:#eee;padding:0 .25rem}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** For pages rendered by the api itself (sign-in refusals, portal not built): no script, one hashed style. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** For the portal's own files: only what comes from this origin; no inline script, no framing. */
export const APP_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const LINK_TEXTS: Partial<Record<ErrorCode, { fr: string; en: string }>> = {
  portal_link_invalid: { fr: "Ce lien de connexion n'est pas valide.", en: 'This sign-in link is not valid.' },
  portal_link_expired: { fr: 'Ce lien de connexion a expiré (il était valable 15 minutes).', en: 'This sign-in link has expired (links last 15 minutes).' },
  portal_link_used: { fr: 'Ce lien de connexion a déjà servi (chaque lien ouvre une seule session).', en: 'This sign-in link was already used (each link opens one session).' },
  partner_disabled: { fr: 'Ce compte partenaire est désactivé.', en: 'This partner account is disabled.' },
  database_unavailable: { fr: 'Le service est momentanément indisponible.', en: 'The service is temporarily unavailable.' },
  rate_limited: { fr: 'Trop de tentatives depuis votre adresse : réessayez dans une minute.', en: 'Too many attempts from your address: try again in a minute.' },
  internal_error: { fr: 'Une erreur inattendue est survenue ; citez le code ci-dessous au support.', en: 'An unexpected error occurred; quote the code below to support.' },
};

const ASK_AGAIN = {
  fr: "Demandez un nouveau lien à votre équipe technique (POST /v1/portal-sessions avec votre clé d'API) ou au support ComptAppart.",
  en: 'Ask your technical team for a new link (POST /v1/portal-sessions with your API key) or ComptAppart support.',
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** Why a sign-in link was refused, in French then English, with the stable code support and tests can quote. */
export function linkRefusedPage(code: ErrorCode, requestId: string): string {
  const text = LINK_TEXTS[code] ?? { fr: 'La connexion a échoué.', en: 'Signing in failed.' };
  return page(
    'Portail ComptAppart / ComptAppart portal',
    `<main><h1>Portail ComptAppart</h1><p>${text.fr}</p><p>${ASK_AGAIN.fr}</p>` +
      `<h1 lang="en">ComptAppart portal</h1><p lang="en">${text.en}</p><p lang="en">${ASK_AGAIN.en}</p>` +
      `<p>Code : <code data-error-code="${code}">${code}</code> &middot; ${requestId}</p></main>`,
  );
}

export const linkRefusedStatus = (code: ErrorCode) => ERROR_CATALOGUE[code].status;

/** /portal/ when dist/portal is missing: the api runs, the web app was never built. */
export function notBuiltPage(): string {
  return page(
    'Portal not built',
    '<main><h1>Portal not built: run npm run build</h1><p>Le portail n\'est pas construit : lancez <code>npm run build</code>.</p>' +
      '<p lang="en">The api serves the partner portal from <code>dist/portal</code> (PORTAL_DIST_DIR), which is missing. Run <code>npm run build</code>, then restart.</p></main>',
  );
}
