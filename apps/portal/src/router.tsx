import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** The portal lives under /portal/; the api serves index.html for every path below it. */
export const BASE = '/portal';

const listeners = new Set<() => void>();
/** False on the first page of a visit: the heading takes focus only after a move inside the portal. */
export let navigated = false;

export function navigate(path: string, replace = false): void {
  navigated = true;
  const url = path.startsWith(BASE) ? path : BASE + path;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', () => {
  navigated = true;
  listeners.forEach((l) => l());
});

/** The path below /portal (e.g. "/endpoints/ep_1") and the query string. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const read = () => ({ path: location.pathname.slice(BASE.length).replace(/\/+$/, '') || '/', search: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return loc;
}

/** A real link (opens in a new tab, copies), handled in-page on a plain click. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined; 'data-testid'?: string }) {
  const { href, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={BASE + href}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
