import { DataSource } from 'typeorm';
import { asTx, newId, Order, Partner, scopeForOperator } from '@app/database';
import { DocumentIssueRepository, InvoiceService } from '@app/invoicing';

/**
 * A paid staging order of `partner` (one line, 20 % VAT) and its invoice, issued as the apply stage issues one, in
 * the test process: the document stage of whichever worker runs takes it from there. Returns the invoice's id.
 */
export async function issueInvoiceForNewOrder(
  db: DataSource,
  partner: Partner,
  sale: { line: string; amount: number; customerEmail: string; customerName: string },
): Promise<string> {
  const orders = db.getRepository(Order);
  const order = await orders.save(orders.create({
    id: newId('ord'), partnerId: partner.id, environment: 'staging', status: 'paid', currency: 'eur', amountTotal: sale.amount,
    lineItems: [{ name: sale.line, quantity: 1, unit_amount: sale.amount, vat_rate: 20, amount_total: sale.amount }], locale: 'fr', paidAt: new Date(),
    customerEmail: sale.customerEmail, customerName: sale.customerName,
  }));
  const issuer = new InvoiceService(new DocumentIssueRepository());
  return db.transaction(async (tx) => (await issuer.issueForOrder(asTx(tx), scopeForOperator(partner, 'staging'), order, partner, 'card')).id);
}
