export * from './api-key.service';
export * from './api-key.util';
export * from './partner.service';
export * from './partners.module';
