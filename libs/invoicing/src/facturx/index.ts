export * from './cii-invoice-xml';
export * from './facturx-xmp';
export * from './xml-text';
