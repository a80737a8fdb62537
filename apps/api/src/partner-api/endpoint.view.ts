import type { EndpointWithLimits } from '@app/webhooks';

export function endpointView(e: EndpointWithLimits) {
  return {
    id: e.id,
    object: 'endpoint',
    url: e.url,
    environment: e.environment,
    description: e.description,
    event_types: e.eventTypes,
    enabled: e.enabled,
    max_in_flight: e.maxInFlight,
    rate_limit_per_second: e.rateLimitPerSecond,
    created_at: e.createdAt.toISOString(),
  };
}
