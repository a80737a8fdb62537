/**
 * The portal reaches partner data only through the public /v1 API, with the session cookie
 * (HttpOnly: this code never sees it) instead of an API key. Every request names the
 * environment it is about; every change carries the CSRF token of the session.
 */
export type Environment = 'staging' | 'production';

export interface PortalSession {
  object: 'portal_session';
  partner: { id: string; name: string };
  environment: Environment;
  csrf_token: string;
  expires_at: string;
}

/** An error answer of the API (`{ error: { code, message, request_id, details } }`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: { field?: string; message?: string }[],
  ) {
    super(message);
  }
}

/**
 * The session's CSRF token, set once the session is read. The environment is NOT kept here: each
 * call names its own, from the query key it fills, so a switch can never store one environment's
 * answer under the other's key.
 */
const context: { csrf: string } = { csrf: '' };
/** Called on any 401, so the whole app can show "your session has expired". */
let onUnauthenticated: () => void = () => {};

export function configureApi(next: { csrf?: string; onUnauthenticated?: () => void }): void {
  if (next.csrf !== undefined) context.csrf = next.csrf;
  if (next.onUnauthenticated) onUnauthenticated = next.onUnauthenticated;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; request_id?: string; details?: ApiError['details'] } };
    if (body.error?.code) return new ApiError(res.status, body.error.code, body.error.message ?? body.error.code, body.error.request_id, body.error.details);
  } catch {
    // Not JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(res.status, 'http_' + res.status, `${res.status} ${res.statusText}`);
}

export async function request(environment: Environment, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'ComptAppart-Environment': environment, accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = context.csrf;
  // The api refuses bodies that are not JSON (415), so every change sends one, even empty.
  if (method === 'POST' || method === 'PATCH') headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: method === 'POST' || method === 'PATCH' ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
  }
  if (res.status === 401) onUnauthenticated();
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function api<T>(environment: Environment, method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(environment, method, path, body);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** GET /portal/api/session: no environment header, it is what tells us the environment. */
export async function readSession(): Promise<PortalSession | null> {
  const res = await fetch('/portal/api/session', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as PortalSession;
}

export async function logout(): Promise<void> {
  await fetch('/portal/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': context.csrf, 'content-type': 'application/json' }, body: '{}' });
}

/**
 * A PDF needs the session headers, so a plain link cannot fetch it: read it, then hand the
 * browser a blob link to save (the CSP allows blob: navigations only from this origin's code).
 */
export async function download(environment: Environment, path: string, filename: string): Promise<void> {
  const blob = await (await request(environment, 'GET', path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Shapes of the /v1 answers the portal reads (snake_case, as the API answers).
export interface List<T> { object: 'list'; data: T[]; has_more?: boolean; next_cursor?: string | null }
export interface WindowStats { attempts: number; succeeded: number; success_rate: number | null }
export interface EndpointStats {
  endpoint_id: string; enabled: boolean; disabled_reason: 'manual' | 'failing' | 'gone' | null; disabled_at: string | null;
  circuit_state: 'closed' | 'open' | 'half_open'; circuit_retry_at: string | null; consecutive_failures: number;
  failing_since: string | null; last_success_at: string | null; last_failure_at: string | null;
  backlog: number; failed: number; in_flight: number; max_in_flight: number; rate_limit_per_second: number | null;
  last_hour: WindowStats; last_day: WindowStats;
}
export interface Endpoint {
  id: string; object: 'endpoint'; url: string; environment: Environment; description: string | null; event_types: string[];
  enabled: boolean; max_in_flight: number; rate_limit_per_second: number | null; created_at: string; stats?: EndpointStats;
}
export interface Attempt {
  id: string; message_id: string; endpoint_id: string; attempted_at: string; status_code: number | null;
  duration_ms: number | null; response_body: string | null; error: string | null;
}
export interface Delivery {
  endpoint_id: string; status: string; attempts: number; last_attempt_at: string | null; next_attempt_at: string | null; delivered_at: string | null;
}
export interface Message {
  id: string; type: string; environment: Environment; order_id: string | null; created_at: string; payload: unknown; deliveries?: Delivery[];
}
export interface EventType { type: string; description: string; descriptions?: { fr: string; en: string }; schema: unknown; example: unknown }
export interface Order {
  id: string; status: string; partner_order_ref: string | null; amount_total: number; currency: string;
  customer: { email: string | null; name: string | null }; amount_refunded: number; invoice: { id: string; number: string } | null;
  paid_at: string | null; created_at: string; line_items: unknown; failure_reason: string | null;
}
export interface Invoice { id: string; number: string; pdf_url: string | null; emailed_at: string | null; issued_at: string; amount_total: number; currency: string }
export interface CreditNote { id: string; number: string; pdf_url: string | null; issued_at: string; amount_total: number; currency: string; reason: string | null }
