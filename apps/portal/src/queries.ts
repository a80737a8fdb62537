import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import { api, type EventType, type List } from './api';
import { useEnvironment } from './env';

/** A GET of /v1 cached under the current environment. */
export function useGet<T>(path: string | null, options: Omit<UseQueryOptions<T>, 'queryKey' | 'queryFn'> = {}) {
  const env = useEnvironment();
  return useQuery<T>({ queryKey: [env, path], queryFn: () => api<T>(env, 'GET', path!), enabled: path !== null, ...options });
}

/**
 * A change through /v1; afterwards every cached read of this environment is fetched again, except
 * what a DELETE removed (asking for it would only earn a 404 while the page moves away).
 */
export function useChange<I, O>(method: string, path: (input: I) => string, body?: (input: I) => unknown) {
  const env = useEnvironment();
  const client = useQueryClient();
  return useMutation<O, Error, I>({
    mutationFn: (input) => api<O>(env, method, path(input), body ? body(input) : undefined),
    onSuccess: (_data, input) => {
      if (method === 'DELETE') {
        const gone = path(input);
        const under = (key: unknown) => typeof key === 'string' && (key === gone || key.startsWith(gone + '/') || key.startsWith(gone + '?'));
        client.removeQueries({ predicate: (q) => q.queryKey[0] === env && under(q.queryKey[1]) });
      }
      // Not awaited: the caller's own onSuccess (often a navigation) need not wait for the re-reads.
      void client.invalidateQueries({ queryKey: [env] });
    },
  });
}

/** The catalogue changes with a release, not while the page is open. */
export function useEventTypes() {
  return useGet<List<EventType>>('/v1/event-types', { staleTime: Infinity });
}
