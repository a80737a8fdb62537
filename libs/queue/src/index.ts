export * from './job-registry';
export * from './job-queue';
export * from './queue.module';
export * from './redis-connection';
