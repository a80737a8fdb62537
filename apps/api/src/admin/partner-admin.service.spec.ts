import { Partner, Tx, UnitOfWork } from '@app/database';
import type { PartnerLogoRepository, PartnerRepository } from '@app/partners';
import { PartnerAdminService } from './partner-admin.service';

const TX = {} as Tx;

function partnerRow(): Partner {
  return { id: 'par_1', name: 'Acme', siren: '123456789', invoicePrefix: 'ACME', disabledAt: null, siret: null } as Partner;
}

function setup(opts: { productionInvoices: boolean }) {
  const partner = partnerRow();
  const partners = {
    lockById: jest.fn(async () => partner),
    save: jest.fn(async (p: Partner) => p),
    hasIssuedInvoices: jest.fn(async () => opts.productionInvoices),
  };
  const uow = { run: jest.fn((work: (tx: Tx) => Promise<unknown>) => work(TX)) };
  const sut = new PartnerAdminService(uow as unknown as UnitOfWork, partners as unknown as PartnerRepository, {} as PartnerLogoRepository);
  return { sut, partners, uow };
}

describe('PartnerAdminService.update', () => {
  it('refuses a new invoice prefix once the partner has issued production invoices, and saves nothing', async () => {
    const { sut, partners } = setup({ productionInvoices: true });
    await expect(sut.update('par_1', { invoice_prefix: 'NEW' })).rejects.toMatchObject({ code: 'conflict' });
    expect(partners.hasIssuedInvoices).toHaveBeenCalledWith(expect.objectContaining({ partnerId: 'par_1', environment: 'production' }), TX);
    expect(partners.save).not.toHaveBeenCalled();
  });

  it('changes the prefix while only test invoices exist, in the transaction that locked the partner', async () => {
    const { sut, partners } = setup({ productionInvoices: false });
    const updated = await sut.update('par_1', { invoice_prefix: 'NEW', name: 'Acme SAS' });
    expect(updated).toMatchObject({ invoicePrefix: 'NEW', name: 'Acme SAS' });
    expect(partners.lockById).toHaveBeenCalledWith('par_1', TX);
    expect(partners.save).toHaveBeenCalledWith(updated, TX);
  });

  it('does not look at invoices when the prefix stays the same', async () => {
    const { sut, partners } = setup({ productionInvoices: true });
    await sut.update('par_1', { invoice_prefix: 'ACME', name: 'Acme SAS' });
    expect(partners.hasIssuedInvoices).not.toHaveBeenCalled();
  });
});
