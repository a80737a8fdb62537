export * from './api-key.service';
export * from './api-key.util';
export * from './partner-logo.repository';
export * from './partner.repository';
export * from './partner.service';
export * from './partners.module';
