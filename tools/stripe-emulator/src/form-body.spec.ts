import { FormBodyError, parseFormBody } from './form-body';
import { RequestParams } from './request-params';

describe('parseFormBody', () => {
  it('nests bracketed keys into hashes, decoding encoded brackets and plus signs', () => {
    const body = 'metadata%5Border_id%5D=ord_1&metadata[note]=deux+nuits&address[city]=Paris&email=a%40b.fr';

    expect(parseFormBody(body)).toEqual({
      metadata: { order_id: 'ord_1', note: 'deux nuits' },
      address: { city: 'Paris' },
      email: 'a@b.fr',
    });
  });

  it('appends `[]` values to arrays and keeps `[0]` as a hash key until a parameter reads it as a list', () => {
    const parsed = parseFormBody(
      'expand[]=line_items&expand[]=customer&line_items[1][quantity]=3' +
        '&line_items[0][price_data][currency]=eur&line_items[0][quantity]=2',
    );
    const lines = new RequestParams(parsed).list('line_items');

    expect(parsed.expand).toEqual(['line_items', 'customer']);
    expect(parsed.line_items).toEqual({ '1': { quantity: '3' }, '0': { price_data: { currency: 'eur' }, quantity: '2' } });
    expect(lines.map((line) => line.requireInt('quantity'))).toEqual([2, 3]);
    expect(lines[0].object('price_data')?.name('currency')).toBe('line_items[0][price_data][currency]');
  });

  it('keeps numeric metadata keys as keys', () => {
    const params = new RequestParams(parseFormBody('metadata[0]=zero&metadata[7]=sept'));

    expect(params.metadata('metadata')).toEqual({ '0': 'zero', '7': 'sept' });
  });

  it('refuses keys that are both a value and a hash, unbalanced brackets, and prototype keys', () => {
    expect(() => parseFormBody('a=1&a[b]=2')).toThrow(FormBodyError);
    expect(() => parseFormBody('a[b]=2&a=1')).toThrow(FormBodyError);
    expect(() => parseFormBody('a[b=1')).toThrow(FormBodyError);
    expect(() => parseFormBody('__proto__[polluted]=1')).toThrow(FormBodyError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads an empty value as an explicit unset', () => {
    const params = new RequestParams(parseFormBody('name=&metadata='));

    expect(params.has('name')).toBe(true);
    expect(params.string('name')).toBeNull();
    expect(params.metadata('metadata')).toEqual({});
  });
});
