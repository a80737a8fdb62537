export * from './entities';
export * from './data-source';
export * from './database.module';
export * from './ids';
export * from './snake-naming.strategy';
export * from './tenant-scope';
export * from './cursor-page';
export * from './unit-of-work';
