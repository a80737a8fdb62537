import { canTransition } from './order-transitions';

describe('order transitions', () => {
  it('never leaves paid', () => {
    for (const to of ['pending', 'failed', 'expired'] as const) expect(canTransition('paid', to)).toBe(false);
  });

  it('records a payment whatever came before it', () => {
    for (const from of ['pending', 'failed', 'expired'] as const) expect(canTransition(from, 'paid')).toBe(true);
  });

  it('does not repeat a failure or go back to pending', () => {
    expect(canTransition('failed', 'failed')).toBe(false);
    expect(canTransition('failed', 'pending')).toBe(false);
    expect(canTransition('expired', 'failed')).toBe(false);
  });
});
