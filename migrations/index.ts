import { InitialSchema1763769600000 } from './1763769600000-initial-schema';
import { PartnerApi1763800000000 } from './1763800000000-partner-api';
import { DeliveryEngine1763800100000 } from './1763800100000-delivery-engine';
import { LegalInvoices1763800200000 } from './1763800200000-legal-invoices';
import { PaymentsApi1763800300000 } from './1763800300000-payments-api';
import { IdempotencySealed1763800460000 } from './1763800460000-idempotency-sealed';
import { StripeEventFailures1763800470000 } from './1763800470000-stripe-event-failures';
import { PartnerPortal1763800490000 } from './1763800490000-partner-portal';
import { ClaimInRepository1763800500000 } from './1763800500000-claim-in-repository';
import { InboxClaims1763800670000 } from './1763800670000-inbox-claims';
import { DocumentClaims1763800700000 } from './1763800700000-document-claims';
import { PdfStorageExternal1763800800000 } from './1763800800000-pdf-storage-external';
import { WaitingIndexes1763800900000 } from './1763800900000-waiting-indexes';
import { InboxInsertCost1763801000000 } from './1763801000000-inbox-insert-cost';
import { EndpointLease1763801100000 } from './1763801100000-endpoint-lease';
import { OutboxHotParents1763801200000 } from './1763801200000-outbox-hot-parents';
import { AttemptsWithoutDeliveryKey1763801300000 } from './1763801300000-attempts-without-delivery-key';
import { RecordIndexWrites1763801400000 } from './1763801400000-record-index-writes';

/** In order. The schema only ever changes through a new class added here (one line each). */
export const MIGRATIONS = [
  InitialSchema1763769600000,
  PartnerApi1763800000000,
  DeliveryEngine1763800100000,
  LegalInvoices1763800200000,
  PaymentsApi1763800300000,
  IdempotencySealed1763800460000,
  StripeEventFailures1763800470000,
  PartnerPortal1763800490000,
  ClaimInRepository1763800500000,
  InboxClaims1763800670000,
  DocumentClaims1763800700000,
  PdfStorageExternal1763800800000,
  WaitingIndexes1763800900000,
  InboxInsertCost1763801000000,
  EndpointLease1763801100000,
  OutboxHotParents1763801200000,
  AttemptsWithoutDeliveryKey1763801300000,
  RecordIndexWrites1763801400000,
];
