import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from 'preact';
import { App } from './app';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused request (4xx) will not pass on a second try; a dropped connection may.
      retry: (count, error) => count < 2 && (error as { status?: number }).status === 0,
      refetchOnWindowFocus: true,
      staleTime: 5_000,
    },
  },
});

render(
  <QueryClientProvider client={client}>
    <App />
  </QueryClientProvider>,
  document.getElementById('app')!,
);
