import type { InvoiceFigures } from '../invoice-figures';
import type { InvoiceAddress, InvoiceDocument } from '../pdf/invoice-document';
import { invoiceLabels } from '../pdf/invoice-labels';
import { legalMentions } from '../pdf/legal-mentions';
import { currencyDigits, date102, decimalOf, xmlText } from './xml-text';

/** EN 16931 guideline id; Factur-X's EN 16931 profile uses it unchanged. */
export const EN16931_GUIDELINE = 'urn:cen.eu:en16931:2017';

/** UNTDID 4461 payment means for the Stripe payment method types we know; 1 = not defined. */
const PAYMENT_MEANS: Record<string, string> = { card: '48', sepa_debit: '59', customer_balance: '30', paypal: '68' };

const NS = [
  'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"',
  'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"',
  'xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"',
  'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"',
].join(' ');

/**
 * The Factur-X (UN/CEFACT CII D16B, profile EN 16931) form of a document,
 * built from the same figures the PDF prints. Credit notes are type 381 with
 * positive amounts and the invoice they correct in BT-25.
 */
export function ciiInvoiceXml(doc: InvoiceDocument, figures: InvoiceFigures): string {
  const digits = currencyDigits(doc.currency);
  const amount = (minor: number) => decimalOf(minor, digits);
  const currency = doc.currency.toUpperCase();
  const { totals } = figures;
  const category = (rate: number) => vatCategory(rate, doc);
  const exemption = doc.terms?.vat_exemption_text || invoiceLabels(doc.locale).vatNotApplicable;
  const t = (name: string, value: string | null | undefined, attrs = '') => (value ? `<ram:${name}${attrs}>${xmlText(value)}</ram:${name}>` : '');
  const day = (d: Date) => `<udt:DateTimeString format="102">${date102(d)}</udt:DateTimeString>`;

  const notes = legalMentions(doc, totals).map(
    (note) => `<ram:IncludedNote><ram:Content>${xmlText(note.text)}</ram:Content><ram:SubjectCode>${note.code}</ram:SubjectCode></ram:IncludedNote>`,
  );
  const lines = figures.lines.map(
    (line, i) =>
      `<ram:IncludedSupplyChainTradeLineItem>` +
      `<ram:AssociatedDocumentLineDocument><ram:LineID>${i + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>` +
      `<ram:SpecifiedTradeProduct>${t('Name', line.name)}</ram:SpecifiedTradeProduct>` +
      `<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>${decimalOf(line.unit_net, digits)}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>` +
      `<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">${line.quantity}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>` +
      `<ram:SpecifiedLineTradeSettlement>` +
      `<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>${category(line.vat_rate)}</ram:CategoryCode>` +
      // BR-O-05: a line not subject to VAT carries no rate at all.
      (category(line.vat_rate) === 'O' ? '' : `<ram:RateApplicablePercent>${line.vat_rate}</ram:RateApplicablePercent>`) +
      `</ram:ApplicableTradeTax>` +
      `<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>${amount(line.net_amount)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>` +
      `</ram:SpecifiedLineTradeSettlement>` +
      `</ram:IncludedSupplyChainTradeLineItem>`,
  );
  const taxes = totals.by_rate.map((rate) => {
    const code = category(rate.rate);
    return (
      `<ram:ApplicableTradeTax><ram:CalculatedAmount>${amount(rate.tax)}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>` +
      (code === 'S' ? '' : t('ExemptionReason', exemption)) +
      `<ram:BasisAmount>${amount(rate.base)}</ram:BasisAmount><ram:CategoryCode>${code}</ram:CategoryCode>` +
      (code === 'O' ? '' : `<ram:RateApplicablePercent>${rate.rate}</ram:RateApplicablePercent>`) +
      `</ram:ApplicableTradeTax>`
    );
  });
  const { seller, buyer } = doc;
  const paid = doc.paidAt !== null;
  const saleDate = doc.saleDate ?? doc.paidAt;
  const preceding = doc.precedingInvoice;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice ${NS}>` +
    `<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>${EN16931_GUIDELINE}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>` +
    `<rsm:ExchangedDocument>${t('ID', doc.number)}<ram:TypeCode>${doc.kind === 'credit_note' ? '381' : '380'}</ram:TypeCode>` +
    `<ram:IssueDateTime>${day(doc.issuedAt)}</ram:IssueDateTime>${notes.join('')}</rsm:ExchangedDocument>` +
    `<rsm:SupplyChainTradeTransaction>${lines.join('')}` +
    `<ram:ApplicableHeaderTradeAgreement>` +
    `<ram:SellerTradeParty>` +
    (seller.siret ? `<ram:GlobalID schemeID="0009">${xmlText(seller.siret)}</ram:GlobalID>` : '') +
    t('Name', seller.legal_name) +
    `<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${xmlText(seller.siren)}</ram:ID></ram:SpecifiedLegalOrganization>` +
    address(seller.address) +
    `<ram:URIUniversalCommunication><ram:URIID schemeID="EM">${xmlText(seller.email)}</ram:URIID></ram:URIUniversalCommunication>` +
    (seller.vat_number ? `<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${xmlText(seller.vat_number)}</ram:ID></ram:SpecifiedTaxRegistration>` : '') +
    `</ram:SellerTradeParty>` +
    `<ram:BuyerTradeParty>` +
    t('Name', buyer.name || buyer.email || invoiceLabels(doc.locale).privateCustomer) +
    (buyer.siren ? `<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${xmlText(buyer.siren)}</ram:ID></ram:SpecifiedLegalOrganization>` : '') +
    (buyer.contact_name ? `<ram:DefinedTradeContact>${t('PersonName', buyer.contact_name)}</ram:DefinedTradeContact>` : '') +
    // BR-10/BR-11: a buyer address with a country is mandatory; a consumer we know nothing of is placed in the seller's country.
    address(buyer.address ?? null, seller.address.country) +
    (buyer.email ? `<ram:URIUniversalCommunication><ram:URIID schemeID="EM">${xmlText(buyer.email)}</ram:URIID></ram:URIUniversalCommunication>` : '') +
    (buyer.vat_number ? `<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${xmlText(buyer.vat_number)}</ram:ID></ram:SpecifiedTaxRegistration>` : '') +
    `</ram:BuyerTradeParty>` +
    (doc.orderReference ? `<ram:BuyerOrderReferencedDocument>${t('IssuerAssignedID', doc.orderReference)}</ram:BuyerOrderReferencedDocument>` : '') +
    `</ram:ApplicableHeaderTradeAgreement>` +
    `<ram:ApplicableHeaderTradeDelivery>` +
    (saleDate ? `<ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>${day(saleDate)}</ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>` : '') +
    `</ram:ApplicableHeaderTradeDelivery>` +
    `<ram:ApplicableHeaderTradeSettlement>` +
    `<ram:InvoiceCurrencyCode>${currency}</ram:InvoiceCurrencyCode>` +
    `<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>${PAYMENT_MEANS[doc.paymentMethod ?? ''] ?? '1'}</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>` +
    taxes.join('') +
    (paid ? '' : `<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>${day(doc.issuedAt)}</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>`) +
    `<ram:SpecifiedTradeSettlementHeaderMonetarySummation>` +
    `<ram:LineTotalAmount>${amount(totals.excluding_tax)}</ram:LineTotalAmount>` +
    `<ram:TaxBasisTotalAmount>${amount(totals.excluding_tax)}</ram:TaxBasisTotalAmount>` +
    `<ram:TaxTotalAmount currencyID="${currency}">${amount(totals.tax)}</ram:TaxTotalAmount>` +
    `<ram:GrandTotalAmount>${amount(totals.including_tax)}</ram:GrandTotalAmount>` +
    // Paid by card at checkout (or refunded to it): nothing is left to pay.
    `<ram:TotalPrepaidAmount>${amount(paid ? totals.including_tax : 0)}</ram:TotalPrepaidAmount>` +
    `<ram:DuePayableAmount>${amount(paid ? 0 : totals.including_tax)}</ram:DuePayableAmount>` +
    `</ram:SpecifiedTradeSettlementHeaderMonetarySummation>` +
    (preceding
      ? `<ram:InvoiceReferencedDocument>${t('IssuerAssignedID', preceding.number)}<ram:FormattedIssueDateTime><qdt:DateTimeString format="102">${date102(preceding.issued_at)}</qdt:DateTimeString></ram:FormattedIssueDateTime></ram:InvoiceReferencedDocument>`
      : '') +
    `</ram:ApplicableHeaderTradeSettlement>` +
    `</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n`
  );
}

/**
 * S for a rate above zero. At 0 %: E (exempt, e.g. art. 293 B) for a seller
 * with a VAT number, which EN 16931 requires for E (BR-E-02); O (not subject
 * to VAT) for one without, which it forbids to carry one (BR-O-02).
 */
export function vatCategory(rate: number, doc: Pick<InvoiceDocument, 'seller'>): 'S' | 'E' | 'O' {
  if (rate > 0) return 'S';
  return doc.seller.vat_number ? 'E' : 'O';
}

function address(a: InvoiceAddress | null, fallbackCountry = 'FR'): string {
  if (!a) return `<ram:PostalTradeAddress><ram:CountryID>${xmlText(fallbackCountry)}</ram:CountryID></ram:PostalTradeAddress>`;
  const tag = (name: string, value: string | null | undefined) => (value ? `<ram:${name}>${xmlText(value)}</ram:${name}>` : '');
  return (
    `<ram:PostalTradeAddress>${tag('PostcodeCode', a.postal_code)}${tag('LineOne', a.line1)}${tag('LineTwo', a.line2)}` +
    `${tag('CityName', a.city)}<ram:CountryID>${xmlText(a.country.toUpperCase())}</ram:CountryID></ram:PostalTradeAddress>`
  );
}
