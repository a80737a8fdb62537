export * from './app-error';
export * from './database-outage';
export * from './error-codes';
export * from './http-exception.filter';
export * from './parse-input';
export * from './input-fields';
export * from './path-param.pipe';
