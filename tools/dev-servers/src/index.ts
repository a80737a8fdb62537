export * from './partner-receiver';
export * from './smtp-catcher';
