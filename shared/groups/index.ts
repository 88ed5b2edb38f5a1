/**
 * Public API of the group cores (pure, no I/O): signed control changes and the state they fold
 * to, signed messages and their checks, display order, sync and fan-out planning, the link cap,
 * group file keys, and the wire frames. docs/protocols.md ("Groups") describes the protocol,
 * docs/security.md ("Groups") what it protects against.
 */
export * from './limits';
export * from './group-change';
export * from './group-fold';
export * from './group-state';
export * from './group-position';
export * from './group-message';
export * from './group-order';
export * from './group-sync';
export * from './group-fanout';
export * from './group-file';
export * from './group-frames';
export * from './link-cap';
export * from './group-receive';
export * from './group-everyday';
