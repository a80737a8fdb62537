import type { Endpoint } from '@app/database';

export function endpointView(e: Endpoint) {
  return {
    id: e.id,
    object: 'endpoint',
    url: e.url,
    environment: e.environment,
    description: e.description,
    event_types: e.eventTypes,
    enabled: e.enabled,
    created_at: e.createdAt.toISOString(),
  };
}
