export * from './partner-receiver';
export * from './smtp-catcher';
export * from './seeded-random';
