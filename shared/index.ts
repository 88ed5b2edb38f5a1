export * from './limits';
export * from './errors';
export * from './account-rules';
export * from './signal-protocol';
export * from './peer-protocol';
