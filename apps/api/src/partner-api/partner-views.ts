import type { ApiKey, Attempt, Delivery, Invoice, Message } from '@app/database';

export function apiKeyView(k: ApiKey) {
  return {
    id: k.id,
    object: 'api_key',
    environment: k.environment,
    prefix: k.prefix,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    created_at: k.createdAt.toISOString(),
  };
}

export function messageView(m: Message, deliveries?: Delivery[]) {
  return {
    id: m.id,
    object: 'message',
    type: m.type,
    environment: m.environment,
    order_id: m.orderId,
    created_at: m.createdAt.toISOString(),
    payload: JSON.parse(m.body) as unknown,
    ...(deliveries ? { deliveries: deliveries.map(deliveryView) } : {}),
  };
}

export function deliveryView(d: Delivery) {
  return {
    endpoint_id: d.endpointId,
    status: d.status,
    attempts: d.attemptCount,
    last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
    next_attempt_at: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
    delivered_at: d.deliveredAt?.toISOString() ?? null,
  };
}

export function attemptView(a: Attempt) {
  return {
    id: a.id,
    object: 'attempt',
    message_id: a.messageId,
    endpoint_id: a.endpointId,
    attempted_at: a.attemptedAt.toISOString(),
    status_code: a.statusCode,
    duration_ms: a.durationMs,
    response_body: a.responseBody,
    error: a.error,
  };
}

export function invoiceView(i: Invoice, publicBaseUrl: string) {
  return {
    id: i.id,
    object: 'invoice',
    number: i.number,
    environment: i.environment,
    order_id: i.orderId,
    currency: i.currency,
    amount_total: i.amountTotal,
    amount_excluding_tax: i.amountExcludingTax,
    amount_tax: i.amountTax,
    lines: i.lines,
    seller: i.seller,
    buyer: i.buyer,
    issued_at: i.issuedAt.toISOString(),
    paid_at: i.paidAt.toISOString(),
    payment_method: i.paymentMethod,
    pdf_url: i.pdfRenderedAt ? `${publicBaseUrl}/v1/invoices/${i.id}/pdf` : null,
    emailed_at: i.emailedAt?.toISOString() ?? null,
  };
}
