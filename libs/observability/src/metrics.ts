import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics our code records. One
 * module-level registry per process: the api and the worker each expose
 * their own at /metrics.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ca_' });

export const metrics = {
  stripeEventsReceived: new Counter({
    name: 'ca_stripe_events_received_total',
    help: 'Stripe events at the ingest, by type and outcome (stored, duplicate, rejected)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  }),
  stripeEventsProcessed: new Counter({
    name: 'ca_stripe_events_processed_total',
    help: 'Stripe events processed by the worker, by type and result (processed, ignored, unrouted)',
    labelNames: ['type', 'result'] as const,
    registers: [registry],
  }),
  deliveries: new Counter({
    name: 'ca_deliveries_total',
    help: 'Delivery attempts to partner endpoints, by outcome (delivered, retry, failed, refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  deliveryLatency: new Histogram({
    name: 'ca_delivery_latency_seconds',
    help: 'From message created to delivered',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600, 86400],
    registers: [registry],
  }),
  pdfRendered: new Counter({ name: 'ca_pdf_rendered_total', help: 'Invoice and credit note PDFs rendered', registers: [registry] }),
  pdfRenderSeconds: new Histogram({
    name: 'ca_pdf_render_seconds',
    help: 'Time to render one PDF',
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  }),
  emails: new Counter({
    name: 'ca_emails_total',
    help: 'Emails to customers, by outcome (sent, failed, rejected)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
};
