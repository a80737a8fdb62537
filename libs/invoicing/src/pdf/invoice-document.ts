import type { InvoiceLineInput } from '../invoice-totals';
import type { InvoiceLocale } from './invoice-labels';

export interface InvoiceAddress {
  line1: string;
  line2?: string | null;
  postal_code: string;
  city: string;
  /** ISO 3166-1 alpha-2 code, printed as the country's name in the invoice's language. */
  country: string;
}

export interface InvoiceDocumentSeller {
  legal_name: string;
  address: InvoiceAddress;
  siren: string;
  vat_number: string | null;
  email: string;
  /** e.g. "SAS", "SARL"; printed with the share capital when given. */
  legal_form?: string | null;
  /** Minor units of the invoice currency. */
  share_capital?: number | null;
  /** "RCS Paris 123 456 789": the registry city, when the partner is registered. */
  rcs_city?: string | null;
  siret?: string | null;
}

export interface InvoiceDocumentBuyer {
  /** The person, or the company for a business buyer. */
  name: string | null;
  email: string | null;
  address?: InvoiceAddress | null;
  /** Business buyers get their identifiers, the late-penalty rate and the 40 € indemnity printed. */
  business?: boolean;
  /** The person ordering for a business buyer. */
  contact_name?: string | null;
  vat_number?: string | null;
  siren?: string | null;
}

/** Terms that vary per partner, frozen on the document. */
export interface InvoiceDocumentTerms {
  /** Default true (B2C): unit amounts include VAT. */
  prices_include_tax?: boolean;
  /** Percent per year; null prints the legal minimum (three times the legal interest rate). */
  late_penalty_rate?: number | null;
  /** Printed and put in the XML when a line carries 0 % VAT. */
  vat_exemption_text?: string | null;
}

/** The invoice a credit note corrects (BT-25, BT-26). */
export interface PrecedingInvoice {
  number: string;
  issued_at: Date;
}

/** Everything printed on an invoice or credit note, already frozen at issue time. */
export interface InvoiceDocument {
  kind: 'invoice' | 'credit_note';
  /** e.g. "ACME-2026-000042", or "TEST-ACME-2026-000001" in staging. */
  number: string;
  environment: 'staging' | 'production';
  locale: InvoiceLocale;
  /** ISO 4217, any case: 'eur'. Line amounts are in its minor units. */
  currency: string;
  issuedAt: Date;
  /** Date of sale (payment); printed when it is another day than the issue date. Defaults to paidAt. */
  saleDate?: Date | null;
  /** When the customer paid (invoice) or was refunded (credit note). */
  paidAt: Date | null;
  /** Stripe payment method type: 'card', 'sepa_debit', ... */
  paymentMethod: string | null;
  /** The platform issuing the invoice under the seller's billing mandate, e.g. "ComptAppart". */
  platformName: string;
  seller: InvoiceDocumentSeller;
  buyer: InvoiceDocumentBuyer;
  lines: InvoiceLineInput[];
  terms?: InvoiceDocumentTerms;
  /** Credit notes only. */
  precedingInvoice?: PrecedingInvoice | null;
  /** The partner's own order reference, printed when present. */
  orderReference?: string | null;
  /** PNG or JPEG bytes of the partner's logo. */
  logo?: Buffer | null;
}
